import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/placement/rules/:id – remove a placement rule
export const DELETE = handler("DELETE /api/placement/rules/[id]", async (_req, { params }: Ctx, call) => {
  const { id } = await params;
  call.audit.target = id;
  return getServices().placement.removeRule(id);
});
