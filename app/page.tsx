import { getServices } from "@/lib/runtime";
import { ClusterView } from "@/components/cluster/cluster-view";

export const dynamic = "force-dynamic";

// GET / – the Cluster page: every host with its domains, live.
export default function ClusterPage() {
  return <ClusterView initialHosts={getServices().inventory.snapshot()} />;
}
