import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inventory } from "./inventory";
import { SshPool } from "../ssh/pool";
import { startTestCluster } from "../../sim/testing";
import { createDemoWorld } from "../../sim/default-world";

// Every toolstack's host, left alone, changes in nothing but its clocks from one refresh to the next — a full refresh
// (every 12th: each domain's configuration and uptime read again) among them. Were it otherwise, every view would
// still go to every browser every 5 s (./clocks.ts).

let sim: Awaited<ReturnType<typeof startTestCluster>>;
beforeAll(async () => {
  sim = await startTestCluster(createDemoWorld());
});
afterAll(async () => {
  await sim.stop();
});

describe("a host left alone", () => {
  for (const name of ["hostB", "kvmA", "xmA"])
    it(`${name}: after it is online, 13 refreshes change only its clocks`, async () => {
      const inv = new Inventory(new SshPool());
      const seen: { status: string; changed: boolean }[] = [];
      inv.on("host", (v, changed) => seen.push({ status: v.status, changed }));
      inv.upsert(sim.record(name));
      await inv.refreshAll();
      const online = seen.findIndex((s) => s.status === "online");
      expect(online).toBeGreaterThan(-1);
      for (let i = 0; i < 13; i++) await inv.refreshAll();
      const later = seen.slice(online + 1);
      expect(later.length).toBeGreaterThanOrEqual(13);
      expect(later.filter((s) => s.changed)).toEqual([]);
      inv.stop();
    });
});
