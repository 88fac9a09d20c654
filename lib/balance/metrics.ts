import client from "prom-client";
import type { Inventory } from "../inventory/inventory";
import { imbalance } from "./pressure";
import type { BalanceService } from "./service";

// Balancing's metrics, in Ferry's registry (lib/metrics.ts): how unbalanced the hosts' memory is now (from the
// inventory, as the Balance view figures it), the recommendations made and the moves applied.

export function registerBalanceMetrics(registry: client.Registry, inventory: Inventory, balance: BalanceService) {
  new client.Gauge({
    name: "ferry_cluster_memory_imbalance_points",
    help: "The standard deviation of the hosts' memory in use, in percentage points of their memory (online hosts not in maintenance).",
    registers: [registry],
    collect() {
      const hosts = inventory
        .snapshot()
        .filter((v) => v.status === "online" && !v.stale && v.facts && !v.maintenance)
        .map((v) => ({
          totalMiB: v.facts!.totalMemoryMiB,
          usedMiB: v.facts!.totalMemoryMiB - v.facts!.freeMemoryMiB,
          cpus: v.facts!.nrCpus,
          cpuBusy: 0,
        }));
      this.set(Math.round(imbalance(hosts).memoryPts * 100) / 100);
    },
  });
  const made = new client.Counter({
    name: "ferry_balance_recommendations_total",
    help: "Balancing recommendations made, by mode (spread, pack).",
    labelNames: ["mode"],
    registers: [registry],
  });
  const applied = new client.Counter({
    name: "ferry_balance_moves_applied_total",
    help: "Moves of balancing plans started, by what applied them (operator, automatic).",
    labelNames: ["trigger"],
    registers: [registry],
  });
  for (const mode of ["spread", "pack"]) made.inc({ mode }, 0);
  for (const trigger of ["operator", "automatic"]) applied.inc({ trigger }, 0);
  balance.on("recommended", (mode: string) => made.inc({ mode }));
  balance.on("applied", (a: { moves: number; trigger: string }) => applied.inc({ trigger: a.trigger }, a.moves));
}
