import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { listJobs } from "@/lib/jobs/store";
import { ClusterView } from "@/components/cluster/cluster-view";
import { hostsForRole } from "@/lib/inventory/for-role";
import { outlineOf } from "@/lib/inventory/outline";
import { firstScreenful } from "@/components/cluster/first-screen";

export const dynamic = "force-dynamic";
// the root page shares the root layout's segment, where the title template does not apply
export const metadata = { title: { absolute: "Cluster · Ferry" } };

// GET / – the Cluster page: every host with its domains, live; operators drag domains between hosts.
export default async function ClusterPage() {
  const { session } = await requirePage("/");
  const { inventory, db, jobs } = getServices();
  const recent = await listJobs(db, { from: new Date(Date.now() - 10 * 60_000) }, 20);
  const active = (await jobs.activeEverywhere()).filter((a) => !recent.some((r) => r.id === a.id));
  // the first screenful whole, the other hosts as outlines: the live stream's snapshot brings them whole
  const hosts = hostsForRole(inventory.snapshot(), session.user.role).sort((a, b) => a.name.localeCompare(b.name));
  const whole = firstScreenful(hosts);
  return (
    <ClusterView
      initialHosts={hosts.slice(0, whole)}
      initialOutline={hosts.slice(whole).map(outlineOf)}
      initialJobs={[...active, ...recent]}
      initialRefresh={inventory.lastRefresh()}
      canMigrate={hasRole(session.user.role, "operator")}
      sharedImageDirs={(process.env.FERRY_SHARED_IMAGE_DIRS ?? "/xen-storage/saves")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)}
    />
  );
}
