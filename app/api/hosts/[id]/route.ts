import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/hosts/:id – forget a host (its domains keep running; Ferry just stops watching it)
export const DELETE = handler("DELETE /api/hosts/[id]", async (_req, { params }: Ctx, call) => {
  const { id } = await params;
  call.audit.target = getServices().inventory.get(id)?.name ?? id;
  await getServices().hosts.remove(id);
  return { ok: true };
});
