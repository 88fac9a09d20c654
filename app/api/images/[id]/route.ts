import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/images/:id – delete the image file on its host and drop it from the catalog
export const DELETE = handler("DELETE /api/images/[id]", async (_req, { params }: Ctx, call) => {
  const { catalog } = getServices().jobs;
  const img = await catalog.get((await params).id);
  call.audit.target = `${img.hostName}:${img.path}`;
  await catalog.remove(img.id);
  return { ok: true };
});
