import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster } from "../../sim/testing";
import { createDemoWorld } from "../../sim/default-world";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { HoldingJob } from "../jobs/busy";
import { DomainPower } from "./power";

// Start, shut down and reboot over real SSH into the simulated hosts: what the host says, what it lists after, and
// every refusal in words with nothing run.

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let holder: HoldingJob | null = null;
let power: DomainPower;
const id = (name: string) => `id-${name}`;

beforeAll(async () => {
  sim = await startTestCluster(createDemoWorld());
  sim.world.timeScale = 10;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-power-"));
  db = await openTestDatabase(dir);
  inventory = new Inventory(new SshPool());
  for (const n of ["kvmA", "kvmB", "hostB"]) inventory.upsert(sim.record(n));
  await inventory.refreshAll();
  power = new DomainPower({ db, inventory, activeJobOn: () => holder });
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const listed = (host: string, name: string) => inventory.get(id(host))!.domains.find((d) => d.name === name);
const commands = (since: number) => sim.world.commandLog.filter((c) => c.at >= since && c.argv[0] === "virsh");

describe("DomainPower", () => {
  it("starts a shut-off libvirt domain, and refuses to start it twice", async () => {
    expect(listed("kvmB", "win-test")).toMatchObject({ id: -1 });
    const r = await power.act(id("kvmB"), "win-test", "start");
    expect(r).toMatchObject({ host: "kvmB", domain: "win-test", said: "Domain 'win-test' started", state: "running" });
    expect(r.id).toBeGreaterThan(0);
    await expect(power.act(id("kvmB"), "win-test", "start")).rejects.toThrow(
      "win-test already runs on kvmB: only a shut-off domain can be started.",
    );
  });

  it("asks a running one to shut down: the guest goes off a moment later, still defined", async () => {
    const r = await power.act(id("kvmB"), "win-test", "shutdown");
    expect(r.said).toBe("Domain 'win-test' is being shutdown");
    await expect
      .poll(async () => (await inventory.refreshHost(id("kvmB"))).domains.find((d) => d.name === "win-test")?.id)
      .toBe(-1);
    await expect(power.act(id("kvmB"), "win-test", "reboot")).rejects.toThrow(
      "win-test is not running on kvmB: there is nothing to reboot.",
    );
  });

  it("reboots a running guest in place: the same id, a fresh uptime", async () => {
    const before = listed("kvmA", "web-kvm")!;
    const r = await power.act(id("kvmA"), "web-kvm", "reboot");
    expect(r).toMatchObject({ said: "Domain 'web-kvm' is being rebooted", id: before.id });
  });

  it("refuses while a job works on the domain, on a toolstack that keeps no definition, and names it does not know — running nothing", async () => {
    const since = Date.now();
    holder = {
      id: "job1",
      kind: "migrate",
      domainName: "web-kvm",
      sourceName: "kvmA",
      targetName: "kvmB",
      createdBy: "alice",
    };
    try {
      await expect(power.act(id("kvmA"), "web-kvm", "shutdown")).rejects.toMatchObject({
        code: "conflict",
        detail: { jobId: "job1" },
        message: expect.stringContaining("alice's live migration of web-kvm (kvmA → kvmB) is still working on it"),
      });
    } finally {
      holder = null;
    }
    await expect(power.act(id("hostB"), "debian_etch_domU", "shutdown")).rejects.toThrow(
      /hostB uses xl .*keeps no definition of a domain that is off/,
    );
    await expect(power.act(id("kvmA"), "nope", "start")).rejects.toThrow(
      "nope is not on kvmA (as of the last refresh).",
    );
    expect(commands(since).filter((c) => ["start", "shutdown", "reboot"].includes(c.argv[1]))).toEqual([]);
    expect(sim.world.locate("web-kvm")).toEqual(["kvmA"]);
  });
});
