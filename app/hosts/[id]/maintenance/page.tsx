import { notFound } from "next/navigation";
import { getServices } from "@/lib/runtime";
import { currentSession, requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { EvacuationPage } from "@/components/evacuate/evacuation-page";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await currentSession();
  return { title: `Maintenance of ${(session && getServices().inventory.get(id)?.name) || "a host"}` };
}

// GET /hosts/:id/maintenance – maintenance mode, the evacuation plan (a dry run), the board while it runs,
// the way home, and the placement settings of the host's domains
export default async function MaintenancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await requirePage("/hosts/[id]/maintenance", `/hosts/${encodeURIComponent(id)}/maintenance`);
  const { inventory, evacuations, placement } = getServices();
  const host = inventory.get(id);
  if (!host) notFound();
  return (
    <EvacuationPage
      host={{ id: host.id, name: host.name, maintenance: host.maintenance ?? null }}
      domains={host.domains.filter((d) => d.id !== 0).map((d) => d.name)}
      initialEvacuations={await evacuations.list(host.id)}
      initialSettings={await placement.settings()}
      canAct={hasRole(session.user.role, "operator")}
    />
  );
}
