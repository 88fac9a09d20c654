import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { imbalanceHistory, pressureNow } from "@/lib/balance/history";
import { BalancePage } from "@/components/balance/balance-page";

export const dynamic = "force-dynamic";
export const metadata = { title: "Balance" };

// GET /balance – the hosts' pressure now and over the day, a balancing recommendation to read and apply, the settings
export default async function Balance() {
  const { session } = await requirePage("/balance");
  const { inventory, db, balanceSettings } = getServices();
  const initial = {
    hosts: pressureNow(inventory.snapshot()),
    history: await imbalanceHistory(db, 24 * 3600_000, 5 * 60_000),
    settings: await balanceSettings.get(),
  };
  return (
    <BalancePage
      initial={initial}
      canAct={hasRole(session.user.role, "operator")}
      canAdmin={hasRole(session.user.role, "admin")}
    />
  );
}
