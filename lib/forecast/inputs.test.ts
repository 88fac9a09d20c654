import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { forecastMigration } from "./inputs";
import { pastMigration } from "./testing";

// Where the forecast's link speed comes from, on a database of earlier migrations (issue 14, item 6: the same
// guest was forecast at 50 s one way and 6 min the other way of a symmetric link).

let db: Db;
let dir: string;
const MiB = 1024 * 1024;

async function migrated(from: string, to: string, mib: number, seconds: number, options: object = {}) {
  await pastMigration(db, { from, to, domainName: `other-${from}-${to}-${seconds}`, memoryMiB: mib, seconds, options });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-forecast-"));
  db = await openTestDatabase(dir);
  // a → b: 1 GiB in 10 s (about 100 MiB/s); a bandwidth-capped migration out of b at 5 MiB/s
  await migrated("a", "b", 1024, 10);
  await migrated("b", "c", 100, 20, { migration: { bandwidthMiBps: 5 } });
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("forecastMigration's link speed", () => {
  it("one link, one speed: b → a learns from a → b, and both directions agree", async () => {
    const there = await forecastMigration(db, { domain: "g", memoryMiB: 2048, source: "a", target: "b" });
    const back = await forecastMigration(db, { domain: "g", memoryMiB: 2048, source: "b", target: "a" });
    expect(back.inputs.sources.join("; ")).toContain("link speed from 1 earlier migration a → b (the same link)");
    expect(back.inputs.bandwidthBps).toBe(there.inputs.bandwidthBps);
    expect(back.totalMs).toBeCloseTo(there.totalMs, 0);
  });

  it("a migration held to a bandwidth limit does not teach the link's speed", async () => {
    const f = await forecastMigration(db, { domain: "g", memoryMiB: 2048, source: "b", target: "c" });
    expect(f.inputs.sources.join("; ")).toContain("default 1 Gbit/s");
    expect(f.inputs.bandwidthBps).toBe(125_000_000);
  });

  it("says when the dirty rate is only a default, and carries the pessimistic side", async () => {
    const f = await forecastMigration(db, { domain: "g", memoryMiB: 2048, source: "a", target: "b" });
    expect(f.band?.dirtyBps).toBe(20 * MiB);
    expect(f.band!.totalMs).toBeGreaterThanOrEqual(f.totalMs);
  });
});

describe("forecastMigration's switch-over time", () => {
  // a QEMU guest whose last pass fits 300 ms only just: the switch-over on top takes it over the maximum
  const tight = {
    domain: "g",
    memoryMiB: 1024,
    source: "a",
    target: "b",
    capabilities: { precopyPolicy: "qemu" as const, reportsRounds: true },
    options: { maxDowntimeMs: 100 },
  };

  it("names where it comes from: the shortest downtime seen, or a default when none was seen", async () => {
    const seen = await forecastMigration(db, tight);
    expect(seen.inputs.handshakeMs).toBe(50);
    expect(seen.inputs.handshakeFrom).toBe("the shortest downtime seen");

    const freshDir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-forecast-fresh-"));
    const fresh = await openTestDatabase(freshDir);
    try {
      const f = await forecastMigration(fresh, tight);
      expect(f.inputs.handshakeMs).toBe(100);
      expect(f.reason).toContain("Switching over adds about 100 ms (a default: no downtime seen yet)");
      expect(f.reason).not.toContain("shortest downtime seen");
    } finally {
      await closeTestDatabase(fresh);
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it("learns only from the source's toolstack: another toolstack's downtimes and links teach it nothing", async () => {
    // a and b are (say) xm hosts with history; x and y are xl hosts with none
    const xl = { ...tight, source: "x", target: "y", learnFrom: { hostIds: ["x", "y"], label: "xl (Xen)" } };
    const f = await forecastMigration(db, xl);
    expect(f.inputs.handshakeMs).toBe(100);
    expect(f.inputs.sources.join("; ")).toContain(
      "handshake: default 100 ms (no downtime seen yet among xl (Xen) migrations)",
    );
    expect(f.inputs.sources.join("; ")).toContain("link speed: default 1 Gbit/s");
    // the same toolstack's history counts, and says where it came from
    const xm = await forecastMigration(db, { ...tight, learnFrom: { hostIds: ["a", "b", "c"], label: "xm" } });
    expect(xm.inputs.handshakeMs).toBe(50);
    expect(xm.inputs.handshakeFrom).toBe("the shortest downtime seen among xm migrations");
  });

  it("learns from a toolstack of a thousand hosts and more (more host ids than SQLite takes in one statement)", async () => {
    const many = Array.from({ length: 1200 }, (_, i) => `h${i}`);
    // the hosts with history at the end of the list, past the first statement's share
    const f = await forecastMigration(db, { ...tight, learnFrom: { hostIds: [...many, "a", "b", "c"], label: "xm" } });
    expect(f.inputs.handshakeMs).toBe(50);
    expect(f.inputs.handshakeFrom).toBe("the shortest downtime seen among xm migrations");
  });
});
