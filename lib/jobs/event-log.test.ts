import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { Db } from "../db/client";
import { JobEventLog, type LiveJob } from "./event-log";
import { eventsAfter, summaryOf } from "./store";
import type { JobEvent, JobSummary } from "./types";

// The event log's batched write (multi-row INSERTs beside Prisma's row updates), on SQLite and — under
// `npm run test:pg` — PostgreSQL: what it stores reads back through Prisma as it was recorded.

let dir: string;
let db: Db;
const zone = process.env.TZ;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-event-log-"));
  db = await openTestDatabase(dir);
});
afterEach(async () => {
  process.env.TZ = zone;
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function liveJob(domainName: string): Promise<LiveJob> {
  const row = await db.job.create({
    data: { kind: "migrate", domainName, memoryMiB: 512, sourceHostId: "a", sourceName: "a", createdBy: "test" },
  });
  return { summary: summaryOf(row), seq: 0 };
}

describe("JobEventLog", () => {
  it("stores a batch larger than one statement may bind (SQLite: 32,766 values), with every event's time, whatever the process's time zone", async () => {
    // a zone far from UTC: a time written in local time instead of UTC would read back eight hours off
    process.env.TZ = "Asia/Shanghai";
    const job = await liveJob("vm1");
    const id = job.summary.id;
    const live = new Map([[id, job]]);
    const sent: JobEvent[] = [];
    const summaries: JobSummary[] = [];
    const log = new JobEventLog(db, live, { event: (e) => sent.push(e), summary: (s) => summaries.push(s) });
    const n = 6000;
    const stored = Array.from({ length: n }, (_, k) =>
      log.record(id, {
        type: "sample",
        phase: "precopy",
        payload: { bytesSent: (k + 1) * 4096, throughputBps: 1e8, elapsedMs: k },
      }),
    );
    await log.drain();
    await Promise.all(stored);
    const back = await eventsAfter(db, id, 0);
    expect(back.map((e) => e.seq)).toEqual(sent.map((e) => e.seq));
    expect(back.map((e) => e.at)).toEqual(sent.map((e) => e.at));
    expect(back.at(-1)).toMatchObject({ type: "sample", phase: "precopy", payload: { bytesSent: n * 4096 } });
    // the row was updated in the same write, and the summary went out once it was stored
    const row = await db.job.findUniqueOrThrow({ where: { id } });
    expect(Number(row.bytesSent)).toBe(n * 4096);
    expect(row.phase).toBe("precopy");
    expect(summaries.at(-1)).toMatchObject({ id, bytesSent: n * 4096 });
  });
});
