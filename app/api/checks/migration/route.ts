import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { migrationTargetSchema } from "@/lib/jobs/schema";

// POST /api/checks/migration – pre-flight checks for moving a domain to a host (runs when it is dragged over)
export const POST = handler("POST /api/checks/migration", async (req, _ctx, call) => {
  const { domain, sourceId, targetId } = await parseBody(req, migrationTargetSchema);
  return getServices().jobs.check(domain, sourceId, targetId, call.session?.user.username ?? call.ip);
});
