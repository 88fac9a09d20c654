import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JobEngine } from "../engine";
import { Inventory } from "../../inventory/inventory";
import { SshPool } from "../../ssh/pool";
import type { Db } from "../../db/client";
import type { HostRecord } from "../../inventory/types";
import { closeTestDatabase, openTestDatabase } from "../../db/testing";
import { isFinal, type JobSummary } from "../types";
import { summaryOf } from "../store";
import { startTestCluster } from "../../../sim/testing";
import type { World } from "../../../sim/world";

// An engine test's world: simulated hosts (time-scaled ×10), a test database, the inventory of the hosts named, and an
// engine with fast polls — and the way to wait for a job's end as the database has it.

export interface EngineWorld {
  sim: Awaited<ReturnType<typeof startTestCluster>>;
  db: Db;
  inventory: Inventory;
  engine: JobEngine;
  /** the test's own directory (its SQLite file; a child engine opens the same database) */
  dir: string;
  /** the hosts the inventory holds, as a child engine (lib/jobs/testing/killed-mid-job.ts) registers them */
  records: HostRecord[];
  /** the job's row once it is final and the engine has let go of its domain */
  finalOf(jobId: string, timeoutMs?: number): Promise<JobSummary>;
  stop(): Promise<void>;
}

export async function startEngineWorld(world: World, hosts: string[], prefix: string): Promise<EngineWorld> {
  const sim = await startTestCluster(world);
  sim.world.timeScale = 10;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ferry-${prefix}-`));
  const db = await openTestDatabase(dir);
  const inventory = new Inventory(new SshPool());
  const records = hosts.map((n) => sim.record(n));
  for (const r of records) inventory.upsert(r);
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory, { pollMs: 20, virshPollMs: 40 });
  return {
    sim,
    db,
    inventory,
    engine,
    dir,
    records,
    async finalOf(jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
        if (isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName)) return summaryOf(row);
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row.status} in ${row.phase}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      inventory.stop();
      await closeTestDatabase(db);
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
