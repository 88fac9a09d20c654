import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/images/:id/verify – recompute the sha256 on the host and compare with the one recorded
export const POST = handler("POST /api/images/[id]/verify", async (_req, { params }: Ctx, call) => {
  const image = await getServices().jobs.catalog.verify((await params).id);
  call.audit.target = `${image.hostName}:${image.path}`;
  call.audit.detail = { integrity: image.integrity };
  return { image };
});
