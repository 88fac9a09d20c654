import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobEngine } from "./engine";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { killedMidJob as killed } from "./testing/killed-mid-job";
import type { HostRecord } from "../inventory/types";
import { isFinal, type JobEvent, type JobSummary } from "./types";
import { summaryOf } from "./store";
import { startTestCluster } from "../../sim/testing";
import { createDemoWorld } from "../../sim/default-world";

// Never lose a domain in a save, restore or move: SSH sessions dropped at chosen moments (a "blip": the host
// resets every connection and accepts new ones, its commands carry on) and Ferry SIGKILLed mid-job. Each
// test ends by asking the hosts (the simulated world), not Ferry: the domain runs on exactly one host, or
// sits in a whole image that the catalog holds, and the job says which.

const MiB = 1024 * 1024;
let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let engine: JobEngine;
const id = (n: string) => `id-${n}`;
const HOSTS = ["hostA", "hostB", "hostC", "kvmA", "kvmB"];
const record = (n: string): HostRecord => {
  const h = sim.info(n);
  return {
    id: id(n),
    name: n,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: h.toolstack,
    imageDir: "/xen-saved-images",
  };
};

beforeAll(async () => {
  sim = await startTestCluster(createDemoWorld());
  sim.world.host("hostB").dirs["/xen-saved-images"].mode = 0o700;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-faults-"));
  db = await openTestDatabase(dir);
  inventory = new Inventory(new SshPool());
  for (const n of HOSTS) inventory.upsert(record(n));
  await inventory.refreshAll();
  engine = new JobEngine(db, inventory, { pollMs: 20, virshPollMs: 40, settlePollMs: 50, reconnectMs: 20_000 });
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finalOf(jobId: string, e = engine): Promise<JobSummary> {
  for (let i = 0; i < 2400; i++) {
    const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(row.status as JobSummary["status"]) && !e.activeJobOn(row.domainName)) return summaryOf(row);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("job did not finish");
}

async function until(what: string, fn: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resets every SSH connection of `host` once the job's event matches (sshd keeps listening). */
function blipWhen(host: string, match: (e: JobEvent) => boolean): { fired: () => boolean } {
  let fired = false;
  const on = (e: JobEvent) => {
    if (!fired && match(e)) {
      fired = true;
      engine.off("event", on);
      sim.cluster.server(host).blip();
    }
  };
  engine.on("event", on);
  return { fired: () => fired };
}
const sampleAt = (fraction: number, memoryMiB: number) => (e: JobEvent) =>
  e.type === "sample" && (e.payload as { bytesSent: number }).bytesSent >= fraction * memoryMiB * MiB;
const logSays = (text: string) => (e: JobEvent) =>
  e.type === "log" && (e.payload as { line: string }).line.includes(text);

/** The truth from the hosts: runs on exactly one host (and the job names it), or sits whole in a catalogued image the job names. */
async function expectTruth(job: JobSummary, domain: string) {
  const on = sim.world.locate(domain);
  expect(on.length, `${domain} runs on ${on.join(", ")}`).toBeLessThanOrEqual(1);
  if (on.length === 1) {
    expect(job.locationHost).toBe(on[0]);
    return on[0];
  }
  const whole = (await engine.catalog.list())
    .filter((i) => i.domainName === domain && i.state === "present")
    .filter((i) => (sim.world.file(i.hostName, i.path)?.size ?? 0) >= i.memoryMiB * MiB);
  expect(whole.length, `${domain} runs nowhere and no whole image of it is catalogued`).toBeGreaterThan(0);
  expect(
    whole.some((i) => job.locationNote?.includes(i.path)),
    `the job's note names the image: ${job.locationNote}`,
  ).toBe(true);
  return null;
}

/** Puts a domain back where the next test expects it (a move at 8×: not what is under test). */
async function moveBack(domain: string, from: string, to: string) {
  sim.world.timeScale = 8;
  await inventory.refreshAll();
  const job = await finalOf(
    (await engine.submitMove({ domain, sourceId: id(from), targetId: id(to), createdBy: "t" })).id,
  );
  expect(job.status, `${job.errorMessage} ${job.locationNote}`).toBe("succeeded");
  await inventory.refreshAll();
}

async function restoreHome(domain: string, host: string) {
  sim.world.timeScale = 8; // putting the world back is not under test: fast
  await inventory.refreshAll();
  const img = (await engine.catalog.list()).find((i) => i.domainName === domain && i.state === "present")!;
  const job = await finalOf((await engine.submitRestore({ imageId: img.id, targetId: id(host), createdBy: "t" })).id);
  expect(job.status, `${job.errorMessage} ${job.locationNote}`).toBe("succeeded");
  await engine.catalog.remove(img.id);
  await inventory.refreshAll();
}

describe("an SSH blip during a save, restore or move", () => {
  it.each([
    ["as the save starts", logSays("Saving to")],
    ["half-way through", sampleAt(0.5, 512)],
    ["while Ferry checksums the finished image", logSays("computing sha256")],
  ])(
    "xl save: a blip %s is not a failure — the save finishes, the image is catalogued and nothing is deleted",
    async (_when, match) => {
      sim.world.timeScale = 1;
      const blip = blipWhen("hostB", match);
      const job = await finalOf(
        (
          await engine.submitSave({
            domain: "debian_etch_domU",
            hostId: id("hostB"),
            dir: "/xen-storage/saves",
            createdBy: "t",
          })
        ).id,
      );
      expect(blip.fired()).toBe(true);
      expect(job).toMatchObject({ status: "succeeded", locationHost: null });
      expect(await expectTruth(job, "debian_etch_domU")).toBeNull();
      expect(sim.world.file("hostB", job.imagePath!)!.mode).toBe(0o600);
      const image = (await engine.catalog.list()).find((i) => i.path === job.imagePath)!;
      expect(image.integrity).toBe("verified");
      expect((await engine.catalog.verify(image.id)).integrity).toBe("verified");
      await restoreHome("debian_etch_domU", "hostB");
    },
  );

  it("virsh save and restore: a blip mid-save and a blip mid-restore; the guest ends on the restore's host only", async () => {
    sim.world.timeScale = 1;
    const duringSave = blipWhen("kvmA", sampleAt(0.3, 1024));
    const saved = await finalOf(
      (await engine.submitSave({ domain: "web-kvm", hostId: id("kvmA"), dir: "/xen-storage/saves", createdBy: "t" }))
        .id,
    );
    expect(duringSave.fired()).toBe(true);
    expect(saved.status).toBe("succeeded");
    expect(sim.world.host("kvmA").domains.find((d) => d.name === "web-kvm")?.state).toBe("shutoff"); // saved: defined, not running
    await expectTruth(saved, "web-kvm");
    const image = (await engine.catalog.list()).find((i) => i.path === saved.imagePath)!;
    await inventory.refreshAll();
    const restore = engine.submitRestore({ imageId: image.id, targetId: id("kvmB"), createdBy: "t" });
    await until("the restore to begin on kvmB", () =>
      sim.world.host("kvmB").domains.some((d) => d.name === "web-kvm" && d.state === "paused"),
    );
    sim.cluster.server("kvmB").blip();
    const restored = await finalOf((await restore).id);
    expect(restored).toMatchObject({ status: "succeeded", locationHost: "kvmB" });
    expect(await expectTruth(restored, "web-kvm")).toBe("kvmB");
    // restored on another host than the one that saved it: the definition came along (libvirt keeps one per UUID)
    expect(restored.locationNote).toContain("It is defined (persistent) on kvmB and no longer on kvmA.");
    expect(sim.world.host("kvmA").domains.some((d) => d.name === "web-kvm")).toBe(false);
    expect(sim.world.host("kvmB").domains.find((d) => d.name === "web-kvm")?.persistent).not.toBe(false);
    // home again for the other tests: kvmB's copy saved and restored on kvmA
    await moveBack("web-kvm", "kvmB", "kvmA");
    await engine.catalog.remove(image.id);
    await inventory.refreshAll();
  });

  it.each([
    ["during the save", "hostB", sampleAt(0.5, 512), false],
    ["during the copy to the target", "hostB", (e: JobEvent) => e.type === "phase" && e.phase === "commitment", true],
    ["during the restore", "hostC", logSays("xc: info: Restoring domain"), false],
  ])(
    "move: a blip %s — the domain ends on the target, the move's images are deleted",
    async (_when, host, match, copy) => {
      sim.world.timeScale = 1;
      if (copy) process.env.FERRY_SHARED_IMAGE_DIRS = "/nonexistent";
      try {
        const blip = blipWhen(host, match as (e: JobEvent) => boolean);
        const job = await finalOf(
          (
            await engine.submitMove({
              domain: "debian_etch_domU",
              sourceId: id("hostB"),
              targetId: id("hostC"),
              createdBy: "t",
            })
          ).id,
        );
        expect(blip.fired()).toBe(true);
        expect(job).toMatchObject({ status: "succeeded", locationHost: "hostC" });
        expect(await expectTruth(job, "debian_etch_domU")).toBe("hostC");
        expect(await engine.catalog.byJob(job.id)).toEqual([]);
        expect(sim.world.file("hostB", job.imagePath!)).toBeUndefined();
        await moveBack("debian_etch_domU", "hostC", "hostB");
      } finally {
        delete process.env.FERRY_SHARED_IMAGE_DIRS;
        await inventory.refreshAll();
      }
    },
  );
});

const killedMidJob = (req: Record<string, unknown>, match: (e: JobEvent) => boolean) =>
  killed({ db, dir, hosts: HOSTS.map(record) }, req, match);

describe("Ferry SIGKILLed mid-job: the restarted engine asks the hosts", () => {
  it("a save killed half-way: recovery waits for the save on the host, then catalogues the image", async () => {
    sim.world.timeScale = 0.5;
    const jobId = await killedMidJob(
      { kind: "save", domain: "debian_etch_domU", hostId: id("hostB"), dir: "/xen-storage/saves", createdBy: "t" },
      sampleAt(0.3, 512),
    );
    expect(sim.world.host("hostB").domains.find((d) => d.name === "debian_etch_domU")?.state).toBe("suspended"); // suspended for the save...
    expect([...sim.world.processes].some((p) => p.host === "hostB" && p.argv[1] === "save")).toBe(true); // ...and xl save carries on
    expect(await engine.recover()).toBe(1);
    const job = await finalOf(jobId);
    expect(job.status).toBe("succeeded");
    expect(await expectTruth(job, "debian_etch_domU")).toBeNull();
    expect((await engine.catalog.list()).find((i) => i.path === job.imagePath)?.integrity).toBe("verified");
    sim.world.timeScale = 1;
    await restoreHome("debian_etch_domU", "hostB");
  });

  it("a restore killed half-way: the domain runs on the target and the job says so", async () => {
    sim.world.timeScale = 1;
    const saved = await finalOf(
      (
        await engine.submitSave({
          domain: "debian_etch_domU",
          hostId: id("hostB"),
          dir: "/xen-storage/saves",
          createdBy: "t",
        })
      ).id,
    );
    const image = (await engine.catalog.list()).find((i) => i.path === saved.imagePath)!;
    sim.world.timeScale = 0.5;
    const jobId = await killedMidJob(
      { kind: "restore", imageId: image.id, targetId: id("hostC"), createdBy: "t" },
      logSays("xc: info: Restoring domain"),
    );
    expect(await engine.recover()).toBe(1);
    const job = await finalOf(jobId);
    expect(job).toMatchObject({ status: "succeeded", locationHost: "hostC" });
    expect(await expectTruth(job, "debian_etch_domU")).toBe("hostC");
    sim.world.timeScale = 8;
    await inventory.refreshAll();
    await moveBack("debian_etch_domU", "hostC", "hostB");
    await engine.catalog.remove(image.id);
    await inventory.refreshAll();
  });

  it.each([
    ["during the save", sampleAt(0.4, 512), null],
    ["during the restore", logSays("xc: info: Restoring domain"), "hostC"],
  ])(
    "a move killed %s ends truthfully: on the target, or in a catalogued image",
    async (_when, match, expectedHost) => {
      sim.world.timeScale = 0.5;
      const jobId = await killedMidJob(
        { kind: "move", domain: "debian_etch_domU", sourceId: id("hostB"), targetId: id("hostC"), createdBy: "t" },
        match,
      );
      expect(await engine.recover()).toBe(1);
      const job = await finalOf(jobId);
      expect(job.status).toBe(expectedHost ? "succeeded" : "interrupted");
      expect(await expectTruth(job, "debian_etch_domU")).toBe(expectedHost);
      sim.world.timeScale = 8;
      if (expectedHost) {
        expect(await engine.catalog.byJob(jobId)).toEqual([]);
        await inventory.refreshAll();
        await moveBack("debian_etch_domU", "hostC", "hostB");
      } else await restoreHome("debian_etch_domU", "hostB");
    },
  );
});

describe("images found on shared storage", () => {
  it("a KVM image discovered on NFS is the image's, not the first host's: refused on Xen, restored on KVM", async () => {
    sim.world.timeScale = 4;
    await inventory.refreshAll();
    const saved = await finalOf(
      (await engine.submitSave({ domain: "web-kvm", hostId: id("kvmA"), dir: "/xen-storage/saves", createdBy: "t" }))
        .id,
    );
    expect(saved.status).toBe("succeeded");
    await db.image.deleteMany({ where: { path: saved.imagePath! } }); // as if someone else had saved it there
    await engine.catalog.discover();
    const found = (await engine.catalog.list()).find((i) => i.path === saved.imagePath)!;
    expect(found).toMatchObject({ domainName: "web-kvm", format: "virsh", arch: "x86_64", shared: true, jobId: null });
    expect(["kvmA", "kvmB"]).toContain(found.hostName); // reached through a host that can restore it, though hostA lists it first
    const onXen = await engine.preflight.checkRestore(found.id, id("hostC"));
    expect(onXen.find((c) => c.id === "format")).toMatchObject({ status: "fail" });
    expect(onXen.find((c) => c.id === "format")!.reason).toContain("hostC uses xl");
    const onKvm = await engine.preflight.checkRestore(found.id, id("kvmB"));
    expect(
      onKvm.filter((c) => c.status === "fail"),
      JSON.stringify(onKvm),
    ).toEqual([]);
    const restored = await finalOf(
      (await engine.submitRestore({ imageId: found.id, targetId: id("kvmB"), createdBy: "t" })).id,
    );
    expect(restored).toMatchObject({ status: "succeeded", locationHost: "kvmB" });
    expect(sim.world.locate("web-kvm")).toEqual(["kvmB"]);
    await inventory.refreshAll();
    expect(
      (
        await finalOf(
          (
            await engine.submitMove({ domain: "web-kvm", sourceId: id("kvmB"), targetId: id("kvmA"), createdBy: "t" })
          ).id,
        )
      ).status,
    ).toBe("succeeded");
    await engine.catalog.remove(found.id);
    await inventory.refreshAll();
  });
});

describe("a move's own checks", () => {
  it("say how long the guest is stopped, and refuse another toolstack", async () => {
    await inventory.refreshAll();
    const ok = await engine.preflight.checkMove("debian_etch_domU", id("hostB"), id("hostC"));
    expect(ok.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(ok.shared).toBe(true);
    expect(ok.outage.ms).toBeGreaterThan(0);
    expect(ok.outage.sources.join(" ")).toMatch(/disk speed.*shared storage: no copy/);
    const cross = await engine.preflight.checkMove("debian_etch_domU", id("hostB"), id("kvmA"));
    expect(cross.checks.find((c) => c.id === "toolstack")).toMatchObject({ status: "fail" });
  });
});

describe("the simulated hosts", () => {
  it("two restores of one image at once make one domain (the second is refused: the name is taken)", async () => {
    sim.world.timeScale = 1;
    const saved = await finalOf(
      (
        await engine.submitSave({
          domain: "ubuntu_fuwa_nfs_domU",
          hostId: id("hostB"),
          dir: "/xen-storage/saves",
          createdBy: "t",
        })
      ).id,
    );
    const run = () => {
      let err = "";
      return sim.cluster
        .server("hostC")
        .runCommand(`xl restore ${saved.imagePath}`, {
          out: () => {},
          err: (t) => {
            err += t;
          },
          signal: new AbortController().signal,
        })
        .then((code) => ({ code, err }));
    };
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    expect([a, b].find((r) => r.code === 1)!.err).toContain("already exists");
    expect(sim.world.host("hostC").domains.filter((d) => d.name === "ubuntu_fuwa_nfs_domU")).toHaveLength(1);
  });
});
