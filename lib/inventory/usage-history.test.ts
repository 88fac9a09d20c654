import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { UsageHistory } from "./usage-history";
import type { HostView } from "./types";

let db: Db;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-memory-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

function view(
  id: string,
  free: number,
  domains: { name: string; uuid: string | null; mib: number; cpu?: number; vcpus?: number }[],
  status = "online",
  dom0Cpu = 0,
) {
  return {
    id,
    name: id,
    status,
    stale: false,
    facts: { freeMemoryMiB: free, totalMemoryMiB: 4096, nrCpus: 4 },
    domains: [
      { id: 0, name: "Domain-0", uuid: null, memoryMiB: 1024, cpuSeconds: dom0Cpu, vcpus: 4 },
      ...domains.map((d, i) => ({
        id: i + 1,
        name: d.name,
        uuid: d.uuid,
        memoryMiB: d.mib,
        cpuSeconds: d.cpu ?? 0,
        vcpus: d.vcpus ?? 1,
      })),
    ],
  } as unknown as HostView;
}

describe("UsageHistory", () => {
  it("samples a host at most once per interval, only when it answers, and follows a domain across hosts", async () => {
    const h = new UsageHistory(db, { everyMs: 60_000 });
    const t0 = Date.parse("2026-11-30T10:00:00Z");
    const web = { name: "web", uuid: "6b1c-web", mib: 512 };
    expect(await h.record(view("A", 2048, [web]), t0)).toBe(true);
    expect(await h.record(view("A", 1000, [web]), t0 + 30_000)).toBe(false); // too soon
    expect(await h.record(view("B", 3000, []), t0 + 30_000)).toBe(true); // another host has its own clock
    expect(await h.record(view("A", 1536, [web], "unreachable"), t0 + 61_000)).toBe(false); // not answering
    expect(await h.record(view("A", 2560, []), t0 + 62_000)).toBe(true); // web has left A …
    expect(await h.record(view("B", 2488, [{ ...web, mib: 512 }]), t0 + 95_000)).toBe(true); // … for B

    const a = await h.forHost("A", 3600_000, t0 + 100_000);
    expect(a.map((p) => [p.freeMiB, p.guestsMiB])).toEqual([
      [2048, 512],
      [2560, 0],
    ]);
    const w = await h.forDomain({ uuid: "6b1c-web", name: "web" }, 3600_000, t0 + 100_000);
    expect(w.map((p) => p.hostId)).toEqual(["A", "B"]);
    // the window: a day later nothing of this is in the last hour
    expect(await h.forHost("A", 3600_000, t0 + 86_400_000)).toEqual([]);
  });

  it("keeps a week, then forgets", async () => {
    const h = new UsageHistory(db, { everyMs: 1, keepMs: 7 * 86_400_000 });
    const t0 = Date.parse("2026-12-01T00:00:00Z");
    await h.record(view("C", 100, []), t0);
    await h.record(view("C", 200, []), t0 + 8 * 86_400_000); // prunes what is older than a week
    expect((await h.forHost("C", 30 * 86_400_000, t0 + 8 * 86_400_000)).map((p) => p.freeMiB)).toEqual([200]);
  });

  it("gives CPU and network as rates between samples: a host's share of its CPUs, its NIC's bytes/s, a domain's share of its vCPUs", async () => {
    let counters = { nic: "eth0", rx: 1000, tx: 5000 };
    const h = new UsageHistory(db, { everyMs: 60_000 }, async () => counters);
    const t0 = Date.parse("2026-11-20T10:00:00Z");
    const db1 = { name: "db", uuid: "u-db", mib: 512, vcpus: 2 };
    await h.record(view("N", 2048, [{ ...db1, cpu: 100 }], "online", 50), t0);
    counters = { nic: "eth0", rx: 1000 + 60 * 1024, tx: 5000 + 60 * 2048 };
    // a minute later: db used 60 s of CPU (half of its 2 vCPUs), Domain-0 another 60 s: 120 of 240 CPU-seconds
    await h.record(view("N", 2048, [{ ...db1, cpu: 160 }], "online", 110), t0 + 60_000);
    const points = await h.forHost("N", 3600_000, t0 + 61_000);
    expect(points.map((p) => p.cpuPct)).toEqual([null, 50]);
    expect(points.map((p) => [p.rxBps, p.txBps])).toEqual([
      [null, null],
      [1024, 2048],
    ]);
    expect(points[1].nic).toBe("eth0");
    const d = await h.forDomain({ uuid: "u-db", name: "db" }, 3600_000, t0 + 61_000);
    expect(d.map((p) => p.cpuPct)).toEqual([null, 50]);
    // a counter that went back (the host restarted) gives no rate, not a negative one
    counters = { nic: "eth0", rx: 10, tx: 10 };
    await h.record(view("N", 2048, [{ ...db1, cpu: 1 }], "online", 1), t0 + 120_000);
    const after = await h.forHost("N", 3600_000, t0 + 121_000);
    expect([after[2].cpuPct, after[2].rxBps, after[2].txBps]).toEqual([null, null, null]);
  });
});
