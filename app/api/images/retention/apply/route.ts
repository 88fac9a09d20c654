import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { applySchema } from "@/lib/images/retention";

// POST /api/images/retention/apply {expect: [imageId]} – delete what the rules propose, if it is the list read
export const POST = handler("POST /api/images/retention/apply", async (req, _ctx, call) => {
  const { expect } = await parseBody(req, applySchema);
  const r = await getServices().retention.apply(expect);
  call.audit.detail = { deleted: r.deleted.length, failed: r.failed.length };
  return r;
});
