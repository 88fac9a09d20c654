import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobEngine } from "./engine";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { isFinal, type JobSummary } from "./types";
import { summaryOf } from "./store";
import { startTestCluster } from "../../sim/testing";
import { createDemoWorld } from "../../sim/default-world";

// Two libvirt hosts without KVM (no virtualization extensions: libvirt's capabilities offer only <domain type='qemu'/>,
// as on the lab's hosts). A bandwidth-limited migration there delivered corrupted guests in the lab (README, "A guest's
// memory, checked"), so Ferry refuses the limit, at launch and while a migration runs, and starts nothing.

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let engine: JobEngine;
const id = (name: string) => `id-${name}`;
const REFUSAL =
  "kvmA runs this guest by software emulation (QEMU without KVM), where a bandwidth-limited migration delivered guests with corrupted memory in Ferry's lab. Migrate without a bandwidth limit; a maximum downtime still applies.";

beforeAll(async () => {
  const world = createDemoWorld();
  for (const h of ["kvmA", "kvmB"]) world.host(h).virtFlag = null;
  sim = await startTestCluster(world);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-emulated-"));
  db = await openTestDatabase(dir);
  inventory = new Inventory(new SshPool());
  for (const n of ["kvmA", "kvmB"]) inventory.upsert(sim.record(n));
  await inventory.refreshAll();
  engine = new JobEngine(db, inventory, { pollMs: 20, virshPollMs: 40 });
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finalOf(jobId: string): Promise<JobSummary> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName)) return summaryOf(row);
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const migrate = (options: { bandwidthMiBps?: number; maxDowntimeMs?: number }, domain = "build-kvm") =>
  engine.submit({
    domain,
    sourceId: id("kvmA"),
    targetId: id("kvmB"),
    createdBy: "test",
    confirmWarnings: true,
    options,
  });

describe("a host whose QEMU emulates its guests in software", () => {
  it("is read as such from libvirt's capabilities", () => {
    expect(inventory.get(id("kvmA"))!.facts!.emulatedOnly).toBe(true);
  });

  it("the dialog's checks fail the limit with the reason as soon as it is chosen", async () => {
    const r = await engine.check("build-kvm", id("kvmA"), id("kvmB"), "test", { bandwidthMiBps: 32 });
    expect(r.checks.find((c) => c.id === "options")).toEqual({
      id: "options",
      label: "Migration options",
      status: "fail",
      reason: REFUSAL,
    });
    const plain = await engine.check("build-kvm", id("kvmA"), id("kvmB"), "test", { maxDowntimeMs: 1500 });
    expect(plain.checks.find((c) => c.id === "options")).toBeUndefined();
  });

  it("refuses a bandwidth limit with the reason, and starts no job", async () => {
    await expect(migrate({ bandwidthMiBps: 32, maxDowntimeMs: 1500 })).rejects.toThrow(REFUSAL);
    expect(await db.job.count()).toBe(0);
    expect(sim.world.locate("build-kvm")).toEqual(["kvmA"]);
  });

  it("refuses a limit asked for while a migration runs, and changes nothing", async () => {
    sim.world.timeScale = 1; // a migration long enough to be changed while it runs
    const job = await migrate({ maxDowntimeMs: 1500 });
    try {
      const deadline = Date.now() + 30_000;
      while (!(await engine.events(job.id, 0)).some((e) => e.type === "jobinfo")) {
        if (Date.now() > deadline) throw new Error("no pre-copy round seen");
        await new Promise((r) => setTimeout(r, 25));
      }
      await expect(engine.tune(job.id, { bandwidthMiBps: 32 })).rejects.toThrow(REFUSAL);
      await expect(engine.tune(job.id, { maxDowntimeMs: 300 })).rejects.toThrow(
        "kvmA runs this guest by software emulation (QEMU without KVM): the maximum downtime stays at 1500 ms or more, so that QEMU stops the guest after few rounds.",
      );
      const log = (await engine.events(job.id, 0)).filter((e) => e.type === "log").map((e) => String(e.payload.line));
      expect(log.some((l) => l.includes("migrate-setspeed") || l.includes("300 ms"))).toBe(false);
    } finally {
      await engine.cancel(job.id);
      sim.world.timeScale = 10;
    }
    expect(await finalOf(job.id)).toMatchObject({ status: "cancelled", locationHost: "kvmA" });
  });

  it("asks QEMU for at least 1.5 s of maximum downtime, says so before and in the job, and migrates", async () => {
    await inventory.refreshAll();
    const why =
      "kvmA runs this guest by software emulation (QEMU without KVM): Ferry asks QEMU for a maximum downtime of 1500 ms instead of QEMU's default of 300 ms, so that it stops the guest after few rounds. Migrations of 4 or more rounds delivered corrupted guests in Ferry's lab.";
    const checked = await engine.check("web-kvm", id("kvmA"), id("kvmB"), "test");
    expect(checked.checks.find((c) => c.id === "options")).toMatchObject({ status: "ok", reason: why });
    expect(checked.forecast?.maxDowntimeMs).toBe(1500);
    const job = await migrate({}, "web-kvm");
    const done = await finalOf(job.id);
    expect(done).toMatchObject({ status: "succeeded", locationHost: "kvmB" });
    expect(sim.world.locate("web-kvm")).toEqual(["kvmB"]);
    const log = (await engine.events(job.id, 0)).filter((e) => e.type === "log").map((e) => String(e.payload.line));
    expect(log).toContain(`ferry: ${why}`);
    expect(log).toContain("ferry: maximum downtime set to 1500 ms");
  });
});
