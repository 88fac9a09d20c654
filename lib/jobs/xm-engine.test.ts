import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JobEngine } from "./engine";
import type { Inventory } from "../inventory/inventory";
import type { JobEvent, JobInfoPayload } from "./types";
import { startEngineWorld, type EngineWorld } from "./testing/engine-world";
import { migrateXm } from "../toolstacks/xm/migrate";
import { createDemoWorld } from "../../sim/default-world";

// Live migration between simulated legacy Xen hosts (xm and xend): the guide's relocation checks, Xen's own
// rounds from xend.log, and the faults a real one meets; after every job the domain runs on exactly one host
// (asked of the simulated hosts themselves), and the job says which.

let w: EngineWorld;
let sim: EngineWorld["sim"];
let inventory: Inventory;
let engine: JobEngine;
const id = (name: string) => `id-${name}`;
const HOSTS = ["xmA", "xmB", "hostB"];
const DOM = "sles11_domU";

beforeAll(async () => {
  w = await startEngineWorld(createDemoWorld(), HOSTS, "xm");
  ({ sim, inventory, engine } = w);
});
afterAll(() => w.stop());
afterEach(async () => {
  // the guest goes back to xmA, running, so each test starts from the same world
  const b = sim.world.host("xmB");
  const i = b.domains.findIndex((d) => d.name === DOM);
  if (i >= 0) {
    const [d] = b.domains.splice(i, 1);
    sim.world.host("xmA").domains.push({ ...d, state: "blocked" });
  }
  sim.world.faults.length = 0;
  await until("the inventory to see the guest back on xmA", async () => {
    await inventory.refreshAll();
    return inventory.get(id("xmA"))!.domains.some((d) => d.name === DOM && d.id >= 0);
  });
});

const finalOf = (jobId: string, timeoutMs?: number) => w.finalOf(jobId, timeoutMs);

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventsOf = async (jobId: string) => engine.events(jobId, 0);
const rounds = async (jobId: string) =>
  (await eventsOf(jobId))
    .filter((e): e is Extract<JobEvent, { type: "jobinfo" }> => e.type === "jobinfo")
    .map((e) => e.payload as JobInfoPayload);

async function migrate(domain: string, from: string, to: string) {
  await inventory.refreshAll();
  return engine.submit({ domain, sourceId: id(from), targetId: id(to), createdBy: "test", confirmWarnings: true });
}

/** The driver alone, without the engine's checks: what xend itself does. */
async function migrateDirect(from: string, to: string) {
  const a = inventory.get(id(from))!;
  const b = inventory.get(id(to))!;
  return migrateXm({
    source: inventory.connection(a),
    target: inventory.connection(b),
    sourceName: from,
    targetName: to,
    domain: DOM,
    targetAddress: b.facts!.addresses[0],
    pollMs: 40,
    cancel: new AbortController().signal,
    emit: () => {},
    phase: () => "pre-migration",
  });
}

describe("JobEngine: live migration over simulated xm/xend", () => {
  it("detects the xm hosts and reads them: Xen 4.1 from xen_major/minor/extra, the domain's uuid and disk", () => {
    const a = inventory.get(id("xmA"))!;
    expect(a.status).toBe("online");
    expect(a.facts!.hypervisorVersion).toBe("4.1.6");
    const d = a.domains.find((x) => x.name === DOM)!;
    expect(d.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.disks).toEqual([{ path: "/xen-storage/sles11.img", vdev: "xvda" }]);
  });

  it("checks the guide's preconditions: relocation on, hosts-allow admits the source (which pattern), the port, the transport", async () => {
    const { checks, transport } = await engine.check(DOM, id("xmA"), id("xmB"));
    const by = new Map(checks.map((c) => [c.id, c]));
    expect(by.get("relocation")).toMatchObject({ status: "ok" });
    expect(by.get("relocation-allow")).toMatchObject({ status: "ok" });
    expect(by.get("relocation-allow")!.reason).toContain("'^192\\.168\\.1\\.72$'");
    expect(by.get("relocation-port")).toMatchObject({ status: "ok" });
    expect(by.get("transport")).toMatchObject({ status: "warn" });
    expect(by.get("transport")!.reason).toMatch(/unauthenticated and unencrypted/);
    expect(by.has("reachable")).toBe(false); // xm does not migrate over SSH
    expect(transport).toMatch(/relocation server/);
    // a target whose relocation server is off: a fail that says what to set
    const cfg = sim.world.host("xmB").xend!.config;
    sim.world.host("xmB").xend!.config = cfg.replace("(xend-relocation-server yes)", "(xend-relocation-server no)");
    try {
      const off = await engine.check(DOM, id("xmA"), id("xmB"));
      expect(off.checks.find((c) => c.id === "relocation")).toMatchObject({ status: "fail" });
      expect(off.checks.find((c) => c.id === "relocation-port")).toMatchObject({ status: "fail" });
    } finally {
      sim.world.host("xmB").xend!.config = cfg;
    }
  });

  it("moves the guest xmA → xmB with Xen's own rounds from xend.log and a measured downtime", async () => {
    const job = await finalOf((await migrate(DOM, "xmA", "xmB")).id);
    expect(job.status).toBe("succeeded");
    expect(job.locationHost).toBe("xmB");
    expect(sim.world.locate(DOM)).toEqual(["xmB"]);
    const rs = await rounds(job.id);
    expect(rs.length).toBeGreaterThanOrEqual(3);
    expect(rs.every((r) => r.source === "Xen's libxc, from xend.log")).toBe(true);
    expect(rs.map((r) => r.iteration)).toEqual(rs.map((_, k) => k + 1));
    // round 1 sends all 512 MiB (less what it skipped); later rounds send what the guest dirtied
    expect((rs[0].pagesSent ?? 0) + (rs[0].pagesSkipped ?? 0)).toBe(131072);
    expect(rs[1].pagesSent).toBeLessThan(rs[0].pagesSent!);
    expect(rs.at(-1)!.memoryRemaining).toBe(0);
    expect(job.downtimeMs).not.toBeNull();
    const phases = (await eventsOf(job.id)).filter((e) => e.type === "phase").map((e) => e.phase);
    expect(phases, phases.join(",")).toEqual(expect.arrayContaining(["precopy", "stop-and-copy", "activation"]));
    // pre-copy shows while round 1 sends (xend logs the round only at its end): no sample past a tenth of the
    // memory is still in the checks
    const samples = (await eventsOf(job.id)).filter((e) => e.type === "sample");
    const early = samples.filter(
      (e) => e.phase === "pre-migration" && (e.payload as { bytesSent: number }).bytesSent > 0.1 * 512 * 1048576,
    );
    expect(samples.length).toBeGreaterThan(0);
    expect(early).toEqual([]);
    // the forecast learns the dirty rate from the rounds it saw
    await inventory.refreshAll();
    const f = (await engine.check(DOM, id("xmB"), id("xmA"))).forecast;
    expect(f.inputs.sources.join("; ")).toMatch(/dirty rate Xen's libxc tracked during the last migration/);
  });

  it("a hosts-allow that does not admit the source: refused while checking, and by xend itself", async () => {
    await finalOf((await migrate(DOM, "xmA", "xmB")).id);
    await inventory.refreshAll();
    const { checks } = await engine.check(DOM, id("xmB"), id("xmA"));
    const allow = checks.find((c) => c.id === "relocation-allow")!;
    expect(allow.status).toBe("fail");
    expect(allow.reason).toContain("^localhost$");
    expect(allow.reason).toContain("192.168.1.73");
    const out = await migrateDirect("xmB", "xmA");
    expect(out.status).toBe("failed");
    expect(out.errorMessage).toMatch(/turned the connection from 192\.168\.1\.73 \(xmB\) away/);
    expect(out.location.host).toBe("xmB");
    expect(sim.world.locate(DOM)).toEqual(["xmB"]);
  });

  it("a target out of memory: failed, the guest runs on the source only", async () => {
    sim.world.faults.push({ kind: "target-oom", domain: DOM });
    const out = await migrateDirect("xmA", "xmB");
    expect(out.status).toBe("failed");
    expect(out.errorCode).toBe("migrate_target_oom");
    expect(out.location.host).toBe("xmA");
    expect(sim.world.locate(DOM)).toEqual(["xmA"]);
  });

  it("a link cut mid-round: failed, the guest keeps running on the source", async () => {
    sim.world.faults.push({ kind: "link-cut", during: "precopy", domain: DOM });
    const job = await finalOf((await migrate(DOM, "xmA", "xmB")).id);
    expect(job.status).toBe("failed");
    expect(job.errorCode).toBe("migrate_link_lost");
    expect(job.locationHost).toBe("xmA");
    expect(sim.world.locate(DOM)).toEqual(["xmA"]);
    expect(sim.world.host("xmA").domains.find((d) => d.name === DOM)!.state).toBe("blocked");
  });

  it("a link cut while the domain is suspended: failed, resumed on the source, nothing left on the target", async () => {
    sim.world.faults.push({ kind: "link-cut", during: "stop-and-copy", domain: DOM });
    const job = await finalOf((await migrate(DOM, "xmA", "xmB")).id);
    expect(job.status).toBe("failed");
    expect(job.locationHost).toBe("xmA");
    expect(sim.world.locate(DOM)).toEqual(["xmA"]);
  });
});

describe("xm moves by save/restore", () => {
  it("says what the save wrote (xm prints no progress: the image's size), and that shared storage needed no copy", async () => {
    await inventory.refreshAll();
    const job = await finalOf(
      (await engine.submitMove({ domain: DOM, sourceId: id("xmA"), targetId: id("xmB"), createdBy: "test" })).id,
    );
    expect(job.status, job.errorMessage ?? "").toBe("succeeded");
    expect(sim.world.locate(DOM)).toEqual(["xmB"]);
    const events = await eventsOf(job.id);
    const written = events
      .filter((e) => e.type === "sample")
      .map((e) => (e.payload as { bytesSent: number }).bytesSent);
    expect(Math.max(...written)).toBeGreaterThan(256 * 1048576); // of 512 MiB of memory
    expect(job.bytesSent).toBeGreaterThan(256 * 1048576);
    const phases = events.filter((e) => e.type === "phase").map((e) => e.phase);
    expect(phases).not.toContain("commitment");
  });
});
