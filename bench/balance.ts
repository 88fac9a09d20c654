// `npm run bench:balance`: the recommender against a greedy baseline and against the best placement there is.
// 1. A simulated cluster of 20 Xen hosts × 200 domains placed unevenly (sim/balance-world.ts, its own process, reached
//    over SSH like any cluster): Ferry's spread recommendation (the real path: inventory, each move's checks and
//    forecast, the evacuation planner), the greedy baseline on the same figures, the plan's time against the physical
//    bound; and pack: hosts emptied against the most any packing could empty.
// 2. Small instances (4 hosts × 8 domains, seeded), where every placement can be tried: the spread Ferry reaches, the
//    greedy baseline's, and the best, in points of imbalance.
// RUNS=n repeats part 1 (each on a fresh cluster); the machine's load is printed beside each run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { HostService } from "../lib/hosts/service";
import { EvacuationService } from "../lib/evacuate/service";
import { Placement } from "../lib/evacuate/placement";
import { UsageHistory } from "../lib/inventory/usage-history";
import { BalanceService } from "../lib/balance/service";
import { BalanceSettingsStore } from "../lib/balance/settings";
import { recommend, type BalanceInput } from "../lib/balance/recommend";
import { MEMORY_MARGIN_MIB } from "../lib/checks/rules";
import { startSimProcess } from "./support";
import { hostFieldsOf } from "../sim/cluster";
import { exhaustiveBest, greedyBaseline, smallInstance } from "./balance-compare";

const RUNS = Number(process.env.RUNS ?? 1);
const HEADROOM = 10;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const pts = (x: number) => x.toFixed(2);

/** The recommender's input as the service builds it, from the inventory (memory only: the bench has no CPU history). */
function inputOf(inventory: Inventory, mode: "spread" | "pack"): BalanceInput {
  const views = inventory.snapshot();
  return {
    mode,
    hosts: views.map((v) => ({
      id: v.id,
      name: v.name,
      totalMiB: v.facts!.totalMemoryMiB,
      usedMiB: v.facts!.totalMemoryMiB - v.facts!.freeMemoryMiB,
      cpus: v.facts!.nrCpus,
      cpuBusy: 0,
      active: true,
      reserveMiB: Math.max(MEMORY_MARGIN_MIB, Math.round((v.facts!.totalMemoryMiB * HEADROOM) / 100)),
      domains: v.domains.filter((d) => d.id !== 0).map((d) => d.name),
    })),
    domains: views.flatMap((v) =>
      v.domains
        .filter((d) => d.id !== 0)
        .map((d) => ({ name: d.name, hostId: v.id, memoryMiB: d.memoryMiB, cpuBusy: 0, running: true })),
    ),
    rules: [],
    thresholdPts: 0.5,
    maxMoves: 200,
    refusal: () => null,
  };
}

console.log(`bench:balance — ${RUNS} run(s) of the 20 × 200 cluster; load before ${load()}`);
for (let run = 1; run <= RUNS; run++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-balance-"));
  const sim = await startSimProcess(dir, { SIM_WORLD: "balance" });
  const { db } = await openDatabase(path.join(dir, "ferry.db"));
  for (const h of sim.hosts) await db.host.create({ data: { id: h.name, ...hostFieldsOf(h) } });
  const inventory = new Inventory(new SshPool());
  const hosts = new HostService(db, inventory);
  await hosts.loadAll();
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory);
  const placement = new Placement(db, inventory);
  const evac = new EvacuationService(db, inventory, engine, hosts, placement);
  const balance = new BalanceService(
    db,
    inventory,
    engine,
    placement,
    evac,
    new UsageHistory(db),
    new BalanceSettingsStore(db),
  );
  const loadAt = load();
  const t0 = performance.now();
  const spread = await balance.recommend({ mode: "spread", headroomPct: HEADROOM, thresholdPts: 0.5, maxMoves: 200 });
  const spreadMs = performance.now() - t0;
  const greedy = greedyBaseline(inputOf(inventory, "spread"));
  const t1 = performance.now();
  const pack = await balance.recommend({ mode: "pack", headroomPct: HEADROOM, maxMoves: 200 });
  const packMs = performance.now() - t1;
  // no packing empties more hosts than those whose room the running memory does not need
  const input = inputOf(inventory, "pack");
  const guests = input.domains.reduce((a, d) => a + d.memoryMiB, 0);
  const dom0 =
    input.hosts.reduce(
      (a, h) => a + (h.usedMiB - input.domains.filter((d) => d.hostId === h.id).reduce((x, d) => x + d.memoryMiB, 0)),
      0,
    ) / input.hosts.length;
  const room = input.hosts[0].totalMiB - input.hosts[0].reserveMiB - dom0;
  const needed = Math.ceil(guests / room);
  const r = spread.recommendation;
  console.log(
    `\nrun ${run} (load ${loadAt}): ${input.hosts.length} hosts × ${input.domains.length} domains, memory imbalance ${pts(r.before.memoryPts)} pts (hosts ${r.before.memoryMinPct.toFixed(0)}–${r.before.memoryMaxPct.toFixed(0)} % in use)`,
  );
  console.log(
    `  spread  Ferry: ${pts(r.after.memoryPts)} pts after ${spread.plan.moves.length} moves (${spread.refused.length} refused by the checks), recommended in ${(spreadMs / 1000).toFixed(1)} s`,
  );
  console.log(`          greedy baseline: ${pts(greedy.score)} pts after ${greedy.moves} moves; ideal 0`);
  console.log(
    `          plan ${(spread.plan.totalMs / 1000).toFixed(1)} s, ${spread.plan.concurrency} at a time, physical bound ${(spread.plan.boundMs / 1000).toFixed(1)} s: ${(spread.plan.totalMs / Math.max(1, spread.plan.boundMs)).toFixed(2)}× the bound; longest downtime ${Math.max(0, ...spread.plan.moves.map((m) => m.downtimeMs)).toFixed(0)} ms`,
  );
  const emptied = pack.recommendation.hosts.filter((h) => h.emptied).length;
  const running = new Set(input.domains.map((d) => d.hostId));
  const already = input.hosts.filter((h) => !running.has(h.id)).length;
  console.log(
    `  pack    Ferry: ${already + emptied} hosts empty after (${already} already, ${emptied} emptied by ${pack.plan.moves.length} moves); at most ${input.hosts.length - needed} can be (the guests need ${needed} hosts' room); plan ${(pack.plan.totalMs / 1000).toFixed(1)} s, ${(pack.plan.totalMs / Math.max(1, pack.plan.boundMs)).toFixed(2)}× its bound; recommended in ${(packMs / 1000).toFixed(1)} s`,
  );
  inventory.stop();
  await db.$disconnect();
  sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

// 2. small instances, every placement tried
const N = 30;
let ours = 0;
let base = 0;
let best = 0;
let exact = 0;
const t2 = performance.now();
for (let seed = 1; seed <= N; seed++) {
  const input = smallInstance(seed);
  const r = recommend(input).after.score;
  const g = greedyBaseline(input).score;
  const b = exhaustiveBest(input);
  ours += r;
  base += g;
  best += b;
  if (r - b < 0.05) exact++;
}
console.log(
  `\nsmall instances (${N} × 4 hosts × 8 domains, every placement tried, ${((performance.now() - t2) / 1000).toFixed(1)} s): mean imbalance after — Ferry ${pts(ours / N)} pts, greedy baseline ${pts(base / N)} pts, best ${pts(best / N)} pts; Ferry within 0.05 pts of the best in ${exact} of ${N}`,
);
