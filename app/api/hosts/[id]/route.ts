import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/hosts/:id – forget a host (its domains keep running; Ferry just stops watching it)
export const DELETE = handler(async (_req, { params }: Ctx) => {
  await getServices().hosts.remove((await params).id);
  return { ok: true };
});
