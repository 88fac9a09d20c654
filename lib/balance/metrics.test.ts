import { EventEmitter } from "node:events";
import client from "prom-client";
import { describe, expect, it } from "vitest";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import { registerBalanceMetrics } from "./metrics";
import type { BalanceService } from "./service";

// Balancing's series in /metrics: the imbalance from what the inventory sees now, and the counts the service reports.

const host = (name: string, totalMemoryMiB: number, freeMemoryMiB: number, extra: Partial<HostView> = {}) =>
  ({
    name,
    status: "online",
    stale: false,
    maintenance: null,
    facts: { totalMemoryMiB, freeMemoryMiB, nrCpus: 4 },
    ...extra,
  }) as HostView;

describe("balancing metrics", () => {
  it("the memory imbalance over online hosts not in maintenance, and recommendations and moves counted", async () => {
    const registry = new client.Registry();
    const views = [
      host("a", 1000, 200), // 80 % in use
      host("b", 1000, 800), // 20 %
      host("c", 1000, 1000, { maintenance: { since: "2026-12-06T00:00:00Z", by: "x" } }),
      host("d", 1000, 0, { status: "unreachable" }),
    ];
    const balance = new EventEmitter();
    registerBalanceMetrics(registry, { snapshot: () => views } as unknown as Inventory, balance as BalanceService);
    balance.emit("recommended", "spread");
    balance.emit("recommended", "spread");
    balance.emit("applied", { moves: 3, trigger: "operator" });
    const text = await registry.metrics();
    expect(text).toMatch(/^ferry_cluster_memory_imbalance_points 30$/m);
    expect(text).toMatch(/^ferry_balance_recommendations_total\{mode="spread"\} 2$/m);
    expect(text).toMatch(/^ferry_balance_recommendations_total\{mode="pack"\} 0$/m);
    expect(text).toMatch(/^ferry_balance_moves_applied_total\{trigger="operator"\} 3$/m);
    expect(text).toMatch(/^ferry_balance_moves_applied_total\{trigger="automatic"\} 0$/m);
  });
});
