import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { hostForRole } from "@/lib/inventory/for-role";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/hosts/:id/test – reconnect now (skipping backoff) and read the host; returns its view
export const POST = handler("POST /api/hosts/[id]/test", async (_req, { params }: Ctx, call) => {
  const { id } = await params;
  call.audit.target = getServices().inventory.get(id)?.name ?? id;
  const host = await getServices().hosts.test(id);
  call.audit.detail = { status: host.status };
  return { host: hostForRole(host, call.session!.user.role) };
});
