import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { migrationCheckSchema } from "@/lib/jobs/schema";

// POST /api/checks/migration – pre-flight checks for moving a domain to a host (runs when it is dragged over,
// and again in the dialog as the operator chooses options: the forecast and its verdict follow them)
export const POST = handler("POST /api/checks/migration", async (req, _ctx, call) => {
  const { domain, sourceId, targetId, options } = await parseBody(req, migrationCheckSchema);
  return getServices().jobs.check(domain, sourceId, targetId, call.session?.user.username ?? call.ip, options);
});
