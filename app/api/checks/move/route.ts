import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { migrationTargetSchema } from "@/lib/jobs/schema";

// POST /api/checks/move – checks for a move by save/restore, and how long the domain would be stopped
export const POST = handler("POST /api/checks/move", async (req, _ctx, call) => {
  const { domain, sourceId, targetId } = await parseBody(req, migrationTargetSchema);
  return getServices().jobs.preflight.checkMove(domain, sourceId, targetId, call.session?.user.username ?? call.ip);
});
