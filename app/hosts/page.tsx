import { getServices } from "@/lib/runtime";
import { HostsManager } from "@/components/hosts/hosts-manager";

export const dynamic = "force-dynamic";

// GET /hosts – add, test and remove hosts
export default function HostsPage() {
  return <HostsManager initialHosts={getServices().inventory.snapshot()} />;
}
