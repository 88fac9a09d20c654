import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { JobInfoPayload } from "../toolstacks/events";
import { forecastAt, forecastMigration } from "./inputs";
import { learnedSetupMs, setupMsOf } from "./qemu-reports";
import { pastMigration } from "./testing";

// QEMU's time beyond the memory (issue 34, the forecast on real QEMU): the lab's migrations took 0.7–0.8 s by QEMU's
// own count where the memory took 0.2 s at the bandwidth it measured, and the forecast, which modelled the memory
// and the switch-over only, was 55–62 % short (bench:forecast, 2026-12-06). The completed statistics below are the
// lab's figures of that run.

const MiB = 1024 * 1024;
let db: Db;
let dir: string;
let n = 0;
/** a move of b → c that copied a 256 MiB disk (the second test makes it) */
let withDisk = "";

/** QEMU's completed statistics as the lab's libvirt 9.0 reported them (a 128 MiB guest, 26 MiB of zero pages). */
const completed = (over: Partial<JobInfoPayload> = {}): JobInfoPayload => ({
  final: true,
  iteration: 3,
  elapsedMs: 790,
  memoryProcessed: 102 * MiB,
  memoryRemaining: 0,
  memoryTotal: 128 * MiB,
  bandwidthBps: 554 * MiB,
  dirtyPagesPerSec: 0,
  pageSize: 4096,
  expectedDowntimeMs: null,
  totalDowntimeMs: 157,
  throttlePercent: null,
  zeroPages: (26 * MiB) / 4096,
  ...over,
});

/** the lab's guest moved b → c, as the dialog asks its forecast (libvirt, Ferry's 1500 ms for an emulated guest) */
const labGuest = {
  memoryMiB: 128,
  source: "b",
  target: "c",
  capabilities: { precopyPolicy: "qemu" as const, reportsRounds: true },
  options: { maxDowntimeMs: 1500 },
};

async function migrated(from: string, to: string, stats: JobInfoPayload | null) {
  const id = await pastMigration(db, {
    from,
    to,
    domainName: `vm${n}`,
    memoryMiB: 128,
    seconds: 1.5,
    bytesSent: 102 * MiB,
    downtimeMs: stats?.totalDowntimeMs ?? 150,
    startedAt: new Date(Date.now() - 60_000 + n++),
  });
  if (stats)
    await db.jobEvent.create({
      data: { jobId: id, seq: 1, phase: "done", type: "jobinfo", payloadJson: JSON.stringify(stats) },
    });
  return id;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-setup-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("QEMU's time beyond the memory", () => {
  it("is the elapsed time less the memory at QEMU's bandwidth and less the downtime; none for a copy of disks too", () => {
    // 790 − 102 MiB ÷ 554 MiB/s (184 ms) − 157 = 449 ms
    expect(setupMsOf(completed())).toBeCloseTo(449, 0);
    expect(setupMsOf(completed({ elapsedMs: 100 }))).toBe(0);
    expect(setupMsOf(completed({ diskTotal: 24 * MiB }))).toBeNull();
    expect(setupMsOf(completed({ bandwidthBps: null }))).toBeNull();
  });

  it("is learned as the median of up to five migrations that say it", async () => {
    const ids = [
      await migrated("b", "c", completed({ elapsedMs: 700 })),
      await migrated("b", "c", null),
      await migrated("b", "c", completed({ elapsedMs: 790 })),
      await migrated("b", "c", completed({ elapsedMs: 2000 })),
    ];
    // a move with its disks: its completed statistics may not name them, but its disk-copy event does
    withDisk = await migrated("b", "c", completed({ elapsedMs: 3900 }));
    await db.jobEvent.create({
      data: {
        jobId: withDisk,
        seq: 2,
        phase: "precopy",
        type: "disk-copy",
        payloadJson: JSON.stringify({ path: "/var/lib/libvirt/images/d.qcow2", allocatedBytes: 256 * MiB }),
      },
    });
    const learned = await learnedSetupMs(db, [withDisk, ...ids]);
    expect(learned?.moves).toBe(3);
    expect(learned?.ms).toBeCloseTo(449, 0);
    expect(await learnedSetupMs(db, [ids[1]])).toBeNull();
  });

  it("lengthens a QEMU forecast by what this link's migrations spent (not its downtime), and says so", async () => {
    const request = { ...labGuest, domain: "labvm1" };
    const f = await forecastMigration(db, request);
    expect(f.inputs.setupMs).toBeCloseTo(449, 0);
    expect(f.inputs.sources.join("; ")).toContain(
      "set-up beyond the memory: 449 ms, the median of 3 earlier migrations on this link",
    );
    // the same inputs without the set-up: the forecast is that much shorter, its downtime the same
    const bare = forecastAt(
      { inputs: { ...f.inputs, setupMs: undefined } },
      128,
      "qemu",
      request.options,
      f.inputs.bandwidthBps,
    );
    expect(f.totalMs - bare.totalMs).toBeCloseTo(449, 0);
    expect(f.downtimeMs).toBeCloseTo(bare.downtimeMs, 5);
    // the evacuation planner's forecast at another bandwidth keeps it
    expect(forecastAt(f, 128, "qemu", request.options, f.inputs.bandwidthBps).totalMs).toBeCloseTo(f.totalMs, 0);
    // a link with no history learns from the toolstack's other links; Xen's forecast never gets it
    const other = await forecastMigration(db, { ...request, source: "x", target: "y" });
    expect(other.inputs.sources.join("; ")).toContain(
      "set-up beyond the memory: 449 ms, the median of 3 earlier migrations among all migrations",
    );
    const xen = await forecastMigration(db, {
      ...request,
      capabilities: { precopyPolicy: "xen", reportsRounds: false },
    });
    expect(xen.inputs.setupMs).toBeUndefined();
  });

  it("is not added again to a move with disks whose copy rate was learned (that rate holds it)", async () => {
    const request = { ...labGuest, domain: "labdisk1", diskBytes: 256 * MiB };
    // no disk copy rate known yet: the copy at the link's speed, and the set-up on top
    expect((await forecastMigration(db, request)).inputs.setupMs).toBeCloseTo(449, 0);
    // the lab's polls while its disk was copied: 72 % of it 1616 ms into QEMU's job (set-up included), then all
    const poll = async (seq: number, over: Partial<JobInfoPayload>) =>
      db.jobEvent.create({
        data: {
          jobId: withDisk,
          seq,
          phase: "precopy",
          type: "jobinfo",
          payloadJson: JSON.stringify(completed({ final: false, ...over })),
        },
      });
    await poll(3, { elapsedMs: 1616, diskProcessed: 193986560, diskRemaining: 75432460, diskTotal: 269419020 });
    await poll(4, { elapsedMs: 2191, diskProcessed: 270467596, diskRemaining: 0, diskTotal: 270467596 });
    const f = await forecastMigration(db, request);
    expect(f.inputs.diskBps).toBeGreaterThan(0);
    expect(f.inputs.setupMs).toBeUndefined();
    expect(f.inputs.sources.join("; ")).not.toContain("set-up beyond the memory");
  });
});
