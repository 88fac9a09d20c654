import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JobEngine } from "./engine";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { killedMidJob } from "./testing/killed-mid-job";
import { AppError } from "../errors";
import type { HostRecord } from "../inventory/types";
import type { JobSummary } from "./types";
import { isFinal } from "./types";
import { startTestCluster } from "../../sim/testing";
import { checkMigration } from "../checks/migration";
import { claimErrors } from "../testing/log-claims";

// Each fault the simulation can inject, and for every one: afterwards the domain runs on exactly one host.

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let engine: JobEngine;
const id = (name: string) => `id-${name}`;

function record(name: string): HostRecord {
  const h = sim.info(name);
  return {
    id: id(name),
    name,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: "xl",
    imageDir: "/xen-saved-images",
  };
}

async function freshInventory() {
  const inv = new Inventory(new SshPool());
  for (const n of ["hostA", "hostB", "hostC"]) inv.upsert(record(n));
  await inv.refreshAll();
  return inv;
}

beforeAll(async () => {
  sim = await startTestCluster();
  sim.world.timeScale = 20;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-jobs-"));
  db = await openTestDatabase(dir);
  inventory = await freshInventory();
  engine = new JobEngine(db, inventory, { pollMs: 20 });
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  sim.world.timeScale = 20;
  // put the guide's domains back on hostB, so each test starts from the same world
  for (const name of ["ubuntu_fuwa_nfs_domU", "debian_etch_domU"]) {
    for (const h of sim.world.hosts.values()) {
      const i = h.domains.findIndex((d) => d.name === name);
      if (i >= 0 && h.name !== "hostB") sim.world.host("hostB").domains.push(...h.domains.splice(i, 1));
    }
  }
  await inventory.refreshAll();
});

async function finalOf(jobId: string, timeoutMs = 30_000): Promise<JobSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName))
      return (await import("./store")).summaryOf(row);
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row.status} in ${row.phase}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function migrate(domain: string, from: string, to: string, confirmWarnings = true) {
  await inventory.refreshAll();
  return engine.submit({ domain, sourceId: id(from), targetId: id(to), createdBy: "test", confirmWarnings });
}

const where = (domain: string) => sim.world.locate(domain);

describe("JobEngine: live migration over simulated xl", () => {
  it("moves a domain, with phases, bytes on the wire and a measured downtime", async () => {
    sim.world.timeScale = 2;
    // The suspended window is ~40 ms at this scale: a poll on a loaded machine (files run in parallel) can
    // miss it, and then Ferry rightly reports a bound. To test the measured path, slow the world ten-fold
    // from the moment the source suspends, so the window (~0.4 s) outlasts any poll; afterEach restores it.
    const slowOnSuspend = () => {
      if (sim.world.host("hostB").domains.some((d) => d.name === "ubuntu_fuwa_nfs_domU" && d.state === "suspended"))
        sim.world.timeScale = 0.2;
    };
    sim.world.on("change", slowOnSuspend);
    const job = await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC");
    const done = await finalOf(job.id).finally(() => sim.world.off("change", slowOnSuspend));
    expect(sim.world.timeScale).toBe(0.2); // the suspension was seen by the world's event
    expect(done).toMatchObject({ status: "succeeded", locationHost: "hostC", errorCode: null });
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual(["hostC"]);
    expect(done.bytesSent).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(done.downtimeMs).not.toBeNull();
    const events = await engine.events(job.id, 0);
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual([
      "pre-migration",
      "reservation",
      "precopy",
      "stop-and-copy",
      "commitment",
      "activation",
      "done",
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(
      events.some((e) => e.type === "log" && e.payload.line === "migration target: Domain started successsfully."),
    ).toBe(true);
    expect(done.downtimeBound).toBe(false); // the polls saw the source suspended
  });

  it.each([
    [{ kind: "target-oom" as const }, "migrate_target_oom"],
    [{ kind: "link-cut" as const, during: "precopy" as const }, "migrate_link_lost"],
    [{ kind: "link-cut" as const, during: "stop-and-copy" as const }, "migrate_link_lost"],
    [{ kind: "target-start-fails" as const }, "migrate_target_start_failed"],
    [{ kind: "suspend-refused" as const }, "migrate_failed"], // real Xen 4.17's text: the sender gave up
  ])("fault %j fails with %s and leaves the domain running on the source only", async (fault, code) => {
    sim.world.faults.push({ ...fault, domain: "ubuntu_fuwa_nfs_domU" });
    const done = await finalOf((await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC")).id);
    expect(done).toMatchObject({ status: "failed", errorCode: code, locationHost: "hostB" });
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual(["hostB"]);
    expect(sim.world.host("hostB").domains.find((d) => d.name === "ubuntu_fuwa_nfs_domU")!.state).toBe("blocked");
  });

  it("keeps track when the source's sshd is killed mid-pre-copy: the job closes by asking the hosts", async () => {
    sim.world.timeScale = 4;
    const job = await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC");
    await expect
      .poll(async () => (await db.job.findUniqueOrThrow({ where: { id: job.id } })).phase, {
        timeout: 10_000,
        interval: 10,
      })
      .toBe("precopy");
    await sim.cluster.server("hostB").stop();
    await new Promise((r) => setTimeout(r, 300)); // keep sshd down for a moment, as an operator restarting it would
    await sim.cluster.server("hostB").start();
    const done = await finalOf(job.id);
    sim.world.timeScale = 20;
    expect(where("ubuntu_fuwa_nfs_domU")).toHaveLength(1);
    expect(done.locationHost).toBe(where("ubuntu_fuwa_nfs_domU")[0]);
    expect(["succeeded", "failed"]).toContain(done.status);
  });

  it("cancels mid-pre-copy: the domain keeps running on the source", async () => {
    sim.world.timeScale = 2;
    const job = await migrate("debian_etch_domU", "hostB", "hostC");
    await expect
      .poll(async () => (await db.job.findUniqueOrThrow({ where: { id: job.id } })).phase, {
        timeout: 10_000,
        interval: 10,
      })
      .toBe("precopy");
    await engine.cancel(job.id);
    const done = await finalOf(job.id);
    sim.world.timeScale = 20;
    expect(done).toMatchObject({ status: "cancelled", locationHost: "hostB" });
    expect(where("debian_etch_domU")).toEqual(["hostB"]);
  });

  it("drain() stores every event recorded so far: a stop loses none of the batch still waiting to be written", async () => {
    const seen: { jobId: string; seq: number }[] = [];
    const onEvent = (e: { jobId: string; seq: number }) => seen.push(e);
    engine.on("event", onEvent);
    try {
      const job = await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC");
      const mine = () => seen.filter((e) => e.jobId === job.id).map((e) => e.seq);
      await expect.poll(() => mine().length, { timeout: 10_000, interval: 5 }).toBeGreaterThan(3);
      const upTo = Math.max(...mine()); // what the browsers have been sent, at the moment of the stop
      await engine.drain();
      const stored = await db.jobEvent.aggregate({ where: { jobId: job.id }, _max: { seq: true } });
      expect(stored._max.seq).toBeGreaterThanOrEqual(upTo);
      await finalOf(job.id);
    } finally {
      engine.off("event", onEvent);
    }
  });

  it("refuses a move whose checks fail, and runs nothing on the hosts", async () => {
    const since = Date.now();
    const jobsBefore = await db.job.count();
    // a target that is the source is refused at once: no job (History would count a failed one)
    const same = await migrate("debian_etch_domU", "hostB", "hostB").catch((e: AppError) => e);
    expect(same).toMatchObject({ code: "invalid_input", message: "debian_etch_domU already runs on hostB." });
    expect(await db.job.count()).toBe(jobsBefore);
    sim.world.host("hostC").totalMemoryMiB = 1200;
    const full = await finalOf((await migrate("debian_etch_domU", "hostB", "hostC")).id);
    sim.world.host("hostC").totalMemoryMiB = 16384;
    expect(full.errorMessage).toMatch(/needs 512 MiB; hostC has \d+ MiB free/);
    expect(sim.world.commandLog.filter((c) => c.at >= since && c.argv[1] === "migrate")).toEqual([]);
    expect(where("debian_etch_domU")).toEqual(["hostB"]);
  });

  it("refuses a second job on the same domain, and an unknown domain", async () => {
    sim.world.timeScale = 2;
    const first = await migrate("debian_etch_domU", "hostB", "hostC");
    // whose job, what it does, and its id to link to — not a bare id
    await expect(migrate("debian_etch_domU", "hostB", "hostA")).rejects.toMatchObject({
      code: "conflict",
      message:
        "test's live migration of debian_etch_domU (hostB → hostC) is still working on it: wait for it to end, or open it to cancel it.",
      detail: { jobId: first.id },
    });
    const busy = (await engine.check("debian_etch_domU", id("hostB"), id("hostA"))).checks.find(
      (c) => c.id === "no-other-job",
    );
    expect(busy).toMatchObject({ status: "fail", jobId: first.id });
    await expect(
      engine.submit({
        domain: "nope",
        sourceId: id("hostB"),
        targetId: id("hostC"),
        createdBy: "t",
        confirmWarnings: true,
      }),
    ).rejects.toBeInstanceOf(AppError);
    await engine.cancel(first.id).catch(() => {});
    await finalOf(first.id);
    sim.world.timeScale = 20;
    expect(where("debian_etch_domU")).toHaveLength(1);
  });

  it("runs at most two outgoing migrations per host; the third waits", async () => {
    sim.world.timeScale = 4;
    for (const n of ["q1", "q2", "q3"])
      sim.world.addDomain("hostC", {
        name: n,
        memoryMiB: 128,
        vcpus: 1,
        disks: [{ target: "/xen-storage/q.img", vdev: "xvda" }],
      });
    await inventory.refreshAll();
    const jobs = await Promise.all(
      ["q1", "q2", "q3"].map((n) =>
        engine.submit({
          domain: n,
          sourceId: id("hostC"),
          targetId: id("hostB"),
          createdBy: "t",
          confirmWarnings: true,
        }),
      ),
    );
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(
        peak,
        engine.activeSummaries().filter((s) => s.status === "running" || s.status === "checking").length,
      );
    }, 5);
    const done = await Promise.all(jobs.map((j) => finalOf(j.id)));
    clearInterval(timer);
    sim.world.timeScale = 20;
    expect(done.map((d) => d.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(peak).toBe(2);
    for (const n of ["q1", "q2", "q3"]) expect(where(n)).toEqual(["hostB"]);
  });

  it("events whose seqs another writer took do not cost the job its status: the rows are stored apart", async () => {
    const job = await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC");
    // Hold the event log's writes (its batches go through $transaction) while the other writer's rows go in: the job
    // goes on handing out seqs meanwhile, and on a loaded machine it handed out more than a fixed margin between a
    // read of the stored maximum and the insert (CI: the insert itself hit the job's rows). Every seq after the last
    // one handed out (stored or not) is taken; only a batch already under way can land, and its seqs are all below.
    const transaction = db.$transaction.bind(db);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    db.$transaction = (async (...args: Parameters<typeof transaction>) => {
      await gate;
      return transaction(...args);
    }) as typeof db.$transaction;
    try {
      const handedOut = (await engine.events(job.id, 0)).at(-1)?.seq ?? 0;
      // every seq the job will use from here on is already taken (as by a second Ferry writing to the same job)
      await db.jobEvent.createMany({
        data: Array.from({ length: 5000 }, (_, i) => ({
          jobId: job.id,
          seq: handedOut + 1 + i,
          phase: "precopy",
          type: "log",
          payloadJson: JSON.stringify({ line: "written elsewhere" }),
        })),
      });
    } finally {
      db.$transaction = transaction;
      release();
    }
    const done = await finalOf(job.id);
    expect(done.status).toBe("succeeded");
    expect(done.locationHost).toBe("hostC");
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual(["hostC"]);
    // and the operator is told, in the log, which events were lost and why (once the last batch is stored: the job's
    // row says it ended before the events that could not go with it have been tried one by one)
    await engine.drain();
    const together = claimErrors(/^job events not stored together/);
    const lost = claimErrors(/^job events not stored$/);
    expect(together.length).toBeGreaterThan(0);
    expect(together[0].error).toMatch(/unique constraint|duplicate key/i);
    expect(lost.length).toBe(together.length);
    expect(lost.every((l) => Number(l.lost) > 0)).toBe(true);
  });

  it("says a job has ended only once its row says so, even when the database writes slowly", async () => {
    // every write takes 150 ms, so the job's result is recorded while the previous batch is still being stored
    const transaction = db.$transaction.bind(db);
    const slow = (async (...args: Parameters<typeof transaction>) => {
      await new Promise((r) => setTimeout(r, 150));
      return transaction(...args);
    }) as typeof db.$transaction;
    db.$transaction = slow;
    let jobId = "";
    try {
      const seen: string[] = [];
      const rowsAtEnd: Promise<string>[] = [];
      const onSummary = (s: JobSummary) => {
        if (s.id === jobId) seen.push(s.status);
        // the row, and whether the domain is still locked against a new job
        // (only this job's: an earlier test's job may still be storing its events)
        if (isFinal(s.status) && s.id === jobId)
          rowsAtEnd.push(
            // asked in the same tick as the word came (findFirst: Prisma defers a findUnique to batch it)
            Promise.all([
              db.domainLock.findFirst({ where: { domainName: s.domainName } }),
              db.job.findFirstOrThrow({ where: { id: s.id } }),
            ]).then(([lock, r]) => `${r.status}${lock ? ", locked" : ""}`),
          );
      };
      engine.on("summary", onSummary);
      const job = await migrate("ubuntu_fuwa_nfs_domU", "hostB", "hostC");
      jobId = job.id; // set before the job could end: its final summary comes after many polls
      const ended = await engine.whenFinished(job.id);
      engine.off("summary", onSummary);
      expect(ended.status).toBe("succeeded");
      // read right after the word came: the row agrees and a new job may start, every time a summary said it ended
      expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("succeeded");
      expect(rowsAtEnd.length).toBeGreaterThan(0);
      expect(await Promise.all(rowsAtEnd)).toEqual(rowsAtEnd.map(() => "succeeded"));
      expect(seen).toContain("running");
    } finally {
      db.$transaction = transaction;
    }
    await finalOf(jobId); // and the engine has let go of the domain
  });

  it("migrates onto the NFS server and back off it: storage is traced to the export, in both directions", async () => {
    // debian_etch_domU's disk is /xen-storage/debian_etch.img: hostB mounts hostA's export there, hostA has it on its own disk
    const check = async (from: string, to: string) =>
      (await engine.check("debian_etch_domU", id(from), id(to))).checks.find((c) => c.id === "storage")!;
    expect(await check("hostB", "hostA")).toMatchObject({ status: "ok" });
    const onto = await finalOf((await migrate("debian_etch_domU", "hostB", "hostA")).id);
    expect(onto).toMatchObject({ status: "succeeded", locationHost: "hostA" });
    await inventory.refreshAll();
    const back = await check("hostA", "hostB");
    expect(back, back.reason).toMatchObject({ status: "ok" });
    expect(back.reason).toContain("shared with hostB");
    const off = await finalOf((await migrate("debian_etch_domU", "hostA", "hostB")).id);
    expect(off).toMatchObject({ status: "succeeded", locationHost: "hostB" });
    expect(sim.world.locate("debian_etch_domU")).toEqual(["hostB"]);
    // a disk on the server's own root filesystem is not shared, whichever way
    sim.world.host("hostA").mounts.find((m) => m.path === "/xen-storage")!.storage = undefined;
    sim.world.host("hostA").mounts.find((m) => m.path === "/xen-storage")!.path = "/xen-storage-local";
    try {
      await inventory.refreshAll();
      await finalOf((await migrate("debian_etch_domU", "hostB", "hostC")).id);
      await inventory.refreshAll();
      expect((await check("hostC", "hostA")).status).toBe("fail");
    } finally {
      sim.world.host("hostA").mounts.find((m) => m.path === "/xen-storage-local")!.path = "/xen-storage";
    }
  });

  it("a flood of checks on the source does not thin a running migration's polls (they have channels of their own)", async () => {
    sim.world.timeScale = 2;
    const nfsGuest = inventory.get(id("hostB"))!.domains.find((d) => d.name === "ubuntu_fuwa_nfs_domU")!; // what the flood asks about
    const measure = async (from: string, to: string, flood: boolean) => {
      const queuedBefore = inventory.connection(inventory.get(id(from))!).channelsQueued;
      let flooding = flood;
      const checks = flood
        ? Array.from({ length: 24 }, async () => {
            while (flooding) {
              const s = inventory.get(id(from))!,
                t = inventory.get(id("hostA"))!;
              // straight to the checks, past the engine's sharing of answers: the worst case
              await checkMigration({
                domain: nfsGuest,
                source: s,
                target: t,
                activeJob: null,
                sourceRunner: inventory.connection(s),
                targetRunner: inventory.connection(t),
              });
            }
          })
        : [];
      const job = await finalOf((await migrate("debian_etch_domU", from, to)).id);
      flooding = false;
      await Promise.all(checks);
      const events = await engine.events(job.id, 0);
      const samples = events.filter((e) => e.type === "sample");
      const seconds = (Date.parse(samples.at(-1)!.at) - Date.parse(samples[0].at)) / 1000;
      const queued = inventory.connection(inventory.get(id(from))!).channelsQueued;
      return {
        job,
        rate: samples.length / seconds,
        jobQueued: queued.job - queuedBefore.job,
        normalQueued: queued.normal - queuedBefore.normal,
      };
    };
    const quiet = await measure("hostB", "hostC", false);
    await inventory.refreshAll();
    const flooded = await measure("hostC", "hostB", true);
    console.log(
      `samples/s quiet ${quiet.rate.toFixed(1)}, flooded ${flooded.rate.toFixed(1)}; downtime quiet ${quiet.job.downtimeMs} ms, flooded ${flooded.job.downtimeMs} ms`,
    );
    expect(quiet.job.status).toBe("succeeded");
    expect(flooded.job).toMatchObject({ status: "succeeded", locationHost: "hostB" });
    expect(flooded.normalQueued, "the checks filled every channel they may use").toBeGreaterThan(0);
    expect(flooded.jobQueued, "no poll of the migration waited for a channel").toBe(0);
    expect(flooded.rate).toBeGreaterThan(quiet.rate * 0.5);
  });

  it("the same check asked many times at once is answered once; one user's flood of checks is refused with a sentence", async () => {
    const since = Date.now();
    // the storage check lists the target's filesystems once per check (nothing else runs df there)
    const dfOnC = () =>
      sim.world.commandLog.filter((c) => c.at >= since && c.host === "hostC" && c.argv[0] === "df").length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => engine.check("ubuntu_fuwa_nfs_domU", id("hostB"), id("hostC"), "flooder")),
    );
    expect(new Set(answers).size).toBe(1); // one answer, shared
    expect(dfOnC()).toBe(1); // the hosts were asked once, not ten times
    let refused: AppError | null = null;
    for (let i = 0; i < 40 && !refused; i++)
      await engine
        .check("debian_etch_domU", id("hostB"), id(i % 2 ? "hostA" : "hostC"), "flooder")
        .catch((e: AppError) => {
          refused = e;
        });
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(refused!.message).toMatch(/Too many checks/);
    // another user is not held back by that flood
    expect(
      (await engine.check("debian_etch_domU", id("hostB"), id("hostC"), "someone-else")).checks.length,
    ).toBeGreaterThan(3);
  });

  it("one machine registered under two names is not another host: checks and moves compare identities", async () => {
    inventory.upsert({ ...record("hostB"), id: id("hostB2"), name: "hostB2" }); // as a database from before this check may hold
    try {
      await inventory.refreshAll();
      const differs = (await engine.check("ubuntu_fuwa_nfs_domU", id("hostB"), id("hostB2"))).checks.find(
        (c) => c.id === "target-differs",
      )!;
      expect(differs).toMatchObject({ status: "fail" });
      expect(differs.reason).toContain("hostB and hostB2 are one machine (the same host key");
      await expect(
        engine.submitMove({
          domain: "ubuntu_fuwa_nfs_domU",
          sourceId: id("hostB"),
          targetId: id("hostB2"),
          createdBy: "t",
        }),
      ).rejects.toThrow(/one machine/);
      expect(inventory.get(id("hostB2"))!.facts!.identity).toBe(inventory.get(id("hostB"))!.facts!.identity);
    } finally {
      inventory.remove(id("hostB2"));
    }
  });

  it("after a restart mid-job, closes the job truthfully from where the domain is", async () => {
    sim.world.timeScale = 1;
    // the old process dies in pre-copy (SIGKILL: its sessions drop, it writes nothing more); xl carries on on the host
    const jobId = await killedMidJob(
      { db, dir, hosts: ["hostA", "hostB", "hostC"].map(record) },
      {
        kind: "migrate",
        domain: "debian_etch_domU",
        sourceId: id("hostB"),
        targetId: id("hostC"),
        createdBy: "test",
        confirmWarnings: true,
      },
      (e) => e.type === "phase" && e.phase === "precopy",
    );
    await inventory.refreshAll();
    expect(await engine.recover()).toBe(1);
    sim.world.timeScale = 20;
    const row = await finalOf(jobId);
    expect(["succeeded", "interrupted"]).toContain(row.status);
    expect(where("debian_etch_domU")).toHaveLength(1);
    if (row.status === "succeeded") expect(row.locationHost).toBe("hostC");
    expect(row.locationNote).toBeTruthy();
  });
});
