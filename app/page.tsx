import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { ClusterView } from "@/components/cluster/cluster-view";

export const dynamic = "force-dynamic";

// GET / – the Cluster page: every host with its domains, live.
export default async function ClusterPage() {
  await requirePage("/");
  return <ClusterView initialHosts={getServices().inventory.snapshot()} />;
}
