import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

// POST /api/images/discover – look for xl save files in every host's image directories
export const POST = handler("POST /api/images/discover", async (_req, _ctx, call) => {
  const r = await getServices().jobs.catalog.discover();
  call.audit.detail = r;
  return r;
});
