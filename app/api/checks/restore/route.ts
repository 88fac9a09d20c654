import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { restoreTargetSchema } from "@/lib/jobs/schema";

// POST /api/checks/restore – checks for restoring an image on a host (readable, unchanged, not run since, memory, arch, not running)
export const POST = handler("POST /api/checks/restore", async (req, _ctx, call) => {
  const { imageId, targetId, acknowledgeStale } = await parseBody(req, restoreTargetSchema);
  const who = call.session?.user.username ?? call.ip;
  return { checks: await getServices().jobs.preflight.checkRestore(imageId, targetId, who, acknowledgeStale === true) };
});
