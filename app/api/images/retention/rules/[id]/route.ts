import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/images/retention/rules/:id – remove a retention rule
export const DELETE = handler("DELETE /api/images/retention/rules/[id]", async (_req, { params }: Ctx, call) => {
  const { id } = await params;
  call.audit.target = id;
  return { rules: await getServices().retention.remove(id) };
});
