import { notFound } from "next/navigation";
import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { toAppError } from "@/lib/errors";
import { GroupMovePage } from "@/components/evacuate/group-move-page";

export const dynamic = "force-dynamic";
export const metadata = { title: "Group move" };

// GET /group-moves/:id – a group move of selected domains (started from the Cluster page), or a balancing plan
// applied (from the Balance page): its board while it runs
export default async function GroupMove({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await requirePage("/group-moves/[id]", `/group-moves/${encodeURIComponent(id)}`);
  const view = await getServices()
    .evacuations.get(id)
    .catch((e) => {
      if (toAppError(e).code === "not_found") return null;
      throw e;
    });
  if (view?.kind !== "group" && view?.kind !== "balance") notFound();
  return <GroupMovePage initial={view} canAct={hasRole(session.user.role, "operator")} />;
}
