import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { HostsManager } from "@/components/hosts/hosts-manager";
import { drivers } from "@/lib/toolstacks";
import { hostsForRole } from "@/lib/inventory/for-role";

export const dynamic = "force-dynamic";
export const metadata = { title: "Hosts" };

// GET /hosts – the hosts; admins add, test and remove them
export default async function HostsPage() {
  const { session } = await requirePage("/hosts");
  const toolstacks = Object.values(drivers).map((d) => ({ name: d.name, label: d.label }));
  return (
    <HostsManager
      initialHosts={hostsForRole(getServices().inventory.snapshot(), session.user.role)}
      initialRefresh={getServices().inventory.lastRefresh()}
      toolstacks={toolstacks}
      canManage={hasRole(session.user.role, "admin")}
      canTest={hasRole(session.user.role, "operator")}
    />
  );
}
