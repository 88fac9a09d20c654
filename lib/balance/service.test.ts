import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobEngine } from "../jobs/engine";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { HostService } from "../hosts/service";
import { startTestCluster } from "../../sim/testing";
import { createDemoWorld } from "../../sim/default-world";
import { EvacuationService, type EvacuationView } from "../evacuate/service";
import { Placement } from "../evacuate/placement";
import { UsageHistory } from "../inventory/usage-history";
import { BalanceService } from "./service";
import { BalanceSettingsStore } from "./settings";
import { AutoBalancer } from "./auto";
import { AuditLog } from "../audit/service";

// Balancing the simulated demo cluster: the recommendation (nothing moves), applying it (each domain then runs on
// its target, once — asked of the simulated hosts), the guard against moving a domain back, and bad runs refused.

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let balance: BalanceService;
let evac: EvacuationService;
const HOSTS = ["hostA", "hostB", "hostC", "kvmA", "kvmB"];

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function finished(id: string) {
  let view: EvacuationView | null = null;
  await until("the balancing plan to end", async () => {
    view = await evac.get(id);
    return !["running", "stopping"].includes(view.status);
  });
  return view!;
}

beforeAll(async () => {
  sim = await startTestCluster(createDemoWorld());
  sim.world.timeScale = 10;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-balance-"));
  db = await openTestDatabase(dir);
  for (const name of HOSTS) {
    const { maintenance: _, ...record } = sim.record(name);
    await db.host.create({ data: record });
  }
  inventory = new Inventory(new SshPool());
  const hosts = new HostService(db, inventory);
  await hosts.loadAll();
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory, { pollMs: 20, virshPollMs: 40 });
  const placement = new Placement(db, inventory);
  // web-kvm may stop for up to 5 s: its link is probed by a timed transfer, which a loaded machine reads slow, and the
  // recommendation left it out at the 300 ms default (a local CI run of stop 46)
  await placement.setDomain({ domain: "web-kvm", priority: 50, maxDowntimeMs: 5000 });
  evac = new EvacuationService(db, inventory, engine, hosts, placement);
  balance = new BalanceService(
    db,
    inventory,
    engine,
    placement,
    evac,
    new UsageHistory(db),
    new BalanceSettingsStore(db),
  );
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const GUESTS = ["ubuntu_fuwa_nfs_domU", "debian_etch_domU", "web-kvm", "build-kvm"];
const where = () => Object.fromEntries(GUESTS.map((d) => [d, sim.world.locate(d)]));
const expectOf = (v: { plan: { moves: { domain: string; target: string }[] } }) =>
  v.plan.moves.map((m) => ({ domain: m.domain, target: m.target }));

describe("BalanceService", () => {
  it("recommends with a forecast per move, nothing moves; applies some of it; then leaves what it moved alone", async () => {
    const before = where();
    const view = await balance.recommend({ thresholdPts: 6 });
    const moves = view.plan.moves.map((m) => `${m.domain}: ${m.from} → ${m.target}`).sort();
    // the Xen hosts and the KVM hosts each even out; never across the toolstacks
    expect(moves).toEqual(["debian_etch_domU: hostB → hostC", "web-kvm: kvmA → kvmB"]);
    for (const m of view.plan.moves) {
      expect(m.downtimeMs).toBeGreaterThan(0);
      expect(m.durationMs).toBeGreaterThan(0);
    }
    expect(view.recommendation.after.score).toBeLessThan(view.recommendation.before.score);
    expect(view.recommendation.moves.find((m) => m.domain === "debian_etch_domU")!.why).toBe(
      "hostB 22 → 16 % memory in use, hostC 6 → 9 %: the imbalance falls from 7.8 to 6.4 points.",
    );
    expect(view.plan.totalMs).toBeGreaterThanOrEqual(view.plan.boundMs);
    expect(where()).toEqual(before);

    // a plan that is not the one read, and a move that is not in it, are refused; nothing moves
    await expect(
      balance.run({ thresholdPts: 6, expect: [{ domain: "debian_etch_domU", target: "hostA" }] }, "test"),
    ).rejects.toThrow(/The cluster changed since this plan was made/);
    await expect(
      balance.run({ thresholdPts: 6, expect: expectOf(view), only: ["sles11_domU"] }, "test"),
    ).rejects.toThrow("sles11_domU is not in the recommendation now: read it again.");
    expect(where()).toEqual(before);

    // apply one of the two moves; a second plan is refused while it runs
    const run = await balance.run({ thresholdPts: 6, expect: expectOf(view), only: ["debian_etch_domU"] }, "test");
    expect(run.kind).toBe("balance");
    expect(run.moves.map((m) => m.domain)).toEqual(["debian_etch_domU"]);
    await expect(balance.run({ thresholdPts: 6, expect: expectOf(view) }, "test")).rejects.toThrow(
      /A balancing plan is already running \(started by test\)/,
    );
    const done = await finished(run.id);
    expect(done.status).toBe("finished");
    expect(where()).toEqual({ ...before, debian_etch_domU: ["hostC"] });

    // no ping-pong: balancing leaves what it moved where it is for the guard's time
    await inventory.refreshAll();
    const again = await balance.recommend({ thresholdPts: 0 });
    expect(again.plan.moves.map((m) => m.domain)).not.toContain("debian_etch_domU");
    expect(again.recommendation.notes.join(" ")).toMatch(
      /debian_etch_domU stays: was moved to hostC by balancing 1 min ago \(balancing leaves it there for 60 min\)/,
    );
  });

  it("a move whose downtime would pass the domain's maximum is left out and the recommender asked again", async () => {
    await new Placement(db, inventory).setDomain({ domain: "web-kvm", priority: 50, maxDowntimeMs: 10 });
    try {
      const view = await balance.recommend({ thresholdPts: 6 });
      expect(view.refused.find((r) => r.domain === "web-kvm")).toMatchObject({ target: "kvmB" });
      expect(view.refused.find((r) => r.domain === "web-kvm")!.reason).toMatch(/over its 10 ms maximum/);
      expect(view.plan.moves.map((m) => m.domain)).not.toContain("web-kvm");
      // every move still planned is within its domain's maximum
      for (const m of view.plan.moves) expect(m.downtimeMs).toBeLessThanOrEqual(m.maxDowntimeMs);
    } finally {
      await new Placement(db, inventory).setDomain({ domain: "web-kvm", priority: 50, maxDowntimeMs: 5000 });
    }
  });

  it("pack: a host is emptied whole or not at all, onto hosts that stay; nothing moves", async () => {
    await inventory.refreshAll();
    const before = where();
    const view = await balance.recommend({ mode: "pack", headroomPct: 10 });
    const emptied = new Set(view.recommendation.hosts.filter((h) => h.emptied).map((h) => h.name));
    expect(emptied.size).toBeGreaterThan(0);
    for (const m of view.plan.moves) {
      expect(emptied.has(m.from)).toBe(true);
      expect(emptied.has(m.target)).toBe(false);
    }
    expect(where()).toEqual(before);
  });

  it("the automatic mode: off by default; on, it applies the plan once per interval, audited", async () => {
    const settings = new BalanceSettingsStore(db);
    const audit = new AuditLog(db);
    const auto = new AutoBalancer(balance, settings, audit);
    expect((await settings.get()).auto).toBe(false);
    expect(await auto.tick()).toBe(0);
    await settings.set(
      { mode: "spread", headroomPct: 10, thresholdPts: 6, guardMinutes: 60, auto: true, everyMinutes: 5 },
      "test",
    );
    await inventory.refreshAll();
    const t0 = Date.now();
    expect(await auto.tick(t0)).toBe(1);
    const run = (await evac.list()).find((e) => e.kind === "balance" && e.createdBy === "automatic balancing")!;
    expect(run.moves.map((m) => `${m.domain} → ${m.target}`)).toEqual(["web-kvm → kvmB"]);
    expect((await finished(run.id)).status).toBe("finished");
    expect(sim.world.locate("web-kvm")).toEqual(["kvmB"]);
    const entry = (await audit.list({ action: "balance.auto" }))[0];
    expect(entry).toMatchObject({ actor: "automatic balancing", target: "spread", outcome: "ok" });
    // within the interval it does not look again; after it, the moved domain is held by the guard
    expect(await auto.tick(t0 + 60_000)).toBe(0);
    await inventory.refreshAll();
    expect(await auto.tick(t0 + 6 * 60_000)).toBe(0);
    expect(sim.world.locate("web-kvm")).toEqual(["kvmB"]);
  });
});
