import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { JobInfoPayload } from "../toolstacks/events";
import { learnedDiskRate } from "./disk-rate";
import { pastMigration } from "./testing";

// The disk copy's rate and its lead, from libvirt's polls of an earlier move with disks. The polls below are the
// lab's (bench/forecast-lab-disks.ts, 2026-12-06, hostC → hostB, a 256 MiB qcow2 of random bytes): the copy ran at
// about 234 MiB/s, but began 1.5 s into QEMU's job; taken over the elapsed time from the start (the way before), the
// same polls read 70 MiB/s: 3.7 s for a copy that was done 2.6 s into the job, set-up included.

const MiB = 1024 * 1024;
let db: Db;
let dir: string;

const poll = (over: Partial<JobInfoPayload>): JobInfoPayload => ({
  final: false,
  iteration: null,
  elapsedMs: null,
  memoryProcessed: null,
  memoryRemaining: null,
  memoryTotal: null,
  bandwidthBps: null,
  dirtyPagesPerSec: null,
  pageSize: null,
  expectedDowntimeMs: null,
  totalDowntimeMs: null,
  throttlePercent: null,
  ...over,
});

async function moveWithDisk(polls: JobInfoPayload[]) {
  const id = await pastMigration(db, { from: "c", to: "b", domainName: "labdisk1", memoryMiB: 128, seconds: 3.3 });
  const events = [
    {
      type: "disk-copy",
      payload: {
        host: "b",
        path: "/d.qcow2",
        vdev: "vda",
        format: "qcow2",
        virtualBytes: 256 * MiB,
        allocatedBytes: 256 * MiB,
      },
    },
    ...polls.map((p) => ({ type: "jobinfo", payload: p })),
  ];
  await db.jobEvent.createMany({
    data: events.map((e, i) => ({
      jobId: id,
      seq: i + 1,
      phase: "precopy",
      type: e.type,
      payloadJson: JSON.stringify(e.payload),
    })),
  });
  return id;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-disk-rate-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("an earlier move's disk copy", () => {
  it("with two polls during the copy: the rate between them, and QEMU's time before the copy began", async () => {
    const id = await moveWithDisk([
      poll({ elapsedMs: 1811, diskProcessed: 69206016, diskRemaining: 200999436, diskTotal: 270205452 }),
      poll({ elapsedMs: 2186, diskProcessed: 162529280, diskRemaining: 109051904, diskTotal: 271581184 }),
      poll({ elapsedMs: 2646, diskProcessed: 273416192, diskRemaining: 0, diskTotal: 273416192 }),
    ]);
    const r = await learnedDiskRate(db, [id]);
    expect(r!.bps / MiB).toBeCloseTo(233.7, 0);
    expect(r!.leadMs).toBeCloseTo(1530, -1);
    // the copy itself, lead and all, ends where the lab's did (disks in sync by 2646 ms)
    expect(r!.leadMs + ((256 * MiB) / r!.bps) * 1000).toBeLessThan(2646);
    expect(r!.leadMs + ((256 * MiB) / r!.bps) * 1000).toBeGreaterThan(2186);
  });

  it("with one poll during the copy: the share done over the elapsed time, the lead inside the rate", async () => {
    const id = await moveWithDisk([
      poll({ elapsedMs: 1616, diskProcessed: 193986560, diskRemaining: 75432460, diskTotal: 269419020 }),
      poll({ elapsedMs: 2191, diskProcessed: 270467596, diskRemaining: 0, diskTotal: 270467596 }),
    ]);
    const r = await learnedDiskRate(db, [id]);
    expect(r!.leadMs).toBe(0);
    expect(r!.bps / MiB).toBeCloseTo((256 * (193986560 / 269419020)) / 1.616, 0);
  });

  it("says nothing for a move whose polls never saw its disks", async () => {
    const id = await moveWithDisk([poll({ final: true, elapsedMs: 900 })]);
    expect(await learnedDiskRate(db, [id])).toBeNull();
  });
});
