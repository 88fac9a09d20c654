import { z } from "zod";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { domainNameSchema } from "@/lib/toolstacks/names";

const saveTargetSchema = z.object({ domain: domainNameSchema, hostId: z.string().min(1).max(64) }).strict();

// POST /api/checks/save – for each directory a domain could be saved into, its checks (private, room, new file)
export const POST = handler("POST /api/checks/save", async (req, _ctx, call) => {
  const { domain, hostId } = await parseBody(req, saveTargetSchema);
  return getServices().jobs.preflight.checkSave(domain, hostId, call.session?.user.username ?? call.ip);
});
