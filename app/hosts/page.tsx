import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { HostsManager } from "@/components/hosts/hosts-manager";

export const dynamic = "force-dynamic";

// GET /hosts – the hosts; admins add, test and remove them
export default async function HostsPage() {
  const { session } = await requirePage("/hosts");
  return <HostsManager initialHosts={getServices().inventory.snapshot()} canManage={hasRole(session.user.role, "admin")} canTest={hasRole(session.user.role, "operator")} />;
}
