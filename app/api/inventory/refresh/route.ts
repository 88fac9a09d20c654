import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

// POST /api/inventory/refresh – refresh every host now; returns how long it took
export const POST = handler("POST /api/inventory/refresh", async () => {
  const { inventory } = getServices();
  const { ms } = await inventory.refreshAll();
  return { ms, hosts: inventory.snapshot().map((h) => ({ name: h.name, status: h.status, refreshMs: h.refreshMs })) };
});
