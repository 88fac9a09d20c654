import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { imbalanceHistory } from "./history";

// The Balance view's day: per interval, each host's last sample, the spread and the fullest, mean and emptiest host.

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-balance-history-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("imbalanceHistory", () => {
  it("takes each host's last sample of each interval", async () => {
    const t0 = Date.UTC(2026, 11, 6, 4, 0, 0);
    const sample = (hostId: string, minute: number, usedMiB: number) =>
      db.memorySample.create({
        data: {
          hostId,
          at: new Date(t0 + minute * 60_000),
          freeMiB: 1000 - usedMiB,
          totalMiB: 1000,
          domainsJson: "[]",
        },
      });
    // 04:00–04:04: a 80 %, then b 20 %; a's later sample (60 %) replaces its first
    await sample("a", 0, 800);
    await sample("b", 1, 200);
    await sample("a", 3, 600);
    // 04:05–04:09: both at 40 %
    await sample("a", 6, 400);
    await sample("b", 7, 400);
    const points = await imbalanceHistory(db, 3600_000, 5 * 60_000, t0 + 10 * 60_000);
    expect(points).toEqual([
      { at: "2026-12-06T04:00:00.000Z", memoryPts: 20, maxPct: 60, meanPct: 40, minPct: 20, hosts: 2 },
      { at: "2026-12-06T04:05:00.000Z", memoryPts: 0, maxPct: 40, meanPct: 40, minPct: 40, hosts: 2 },
    ]);
    // outside the window: nothing
    expect(await imbalanceHistory(db, 60_000, 5 * 60_000, t0 + 3 * 3600_000)).toEqual([]);
  });
});
