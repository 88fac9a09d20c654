import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { hostForRole } from "@/lib/inventory/for-role";
import { maintenanceSchema } from "@/lib/evacuate/schema";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/hosts/:id/maintenance {on} – a host in maintenance receives nothing; stored, survives restarts
export const POST = handler("POST /api/hosts/[id]/maintenance", async (req, { params }: Ctx, call) => {
  const { id } = await params;
  const { on } = await parseBody(req, maintenanceSchema);
  call.audit.target = getServices().inventory.get(id)?.name ?? id;
  call.audit.detail = { on };
  const host = await getServices().hosts.setMaintenance(id, on, call.session!.user.username);
  return { host: hostForRole(host, call.session!.user.role) };
});
