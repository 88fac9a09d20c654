import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JobEngine } from "../../jobs/engine";
import { Inventory } from "../../inventory/inventory";
import { SshPool } from "../../ssh/pool";
import type { Db } from "../../db/client";
import { closeTestDatabase, openTestDatabase } from "../../db/testing";
import { HostService } from "../../hosts/service";
import { startTestCluster } from "../../../sim/testing";
import type { World } from "../../../sim/world";
import { EvacuationService } from "../service";
import { Placement } from "../placement";

// An evacuation test's world: simulated hosts (time-scaled ×10) registered as an operator would (rows in a test
// database, the host service loading them), an engine with fast polls, and the evacuation service. The guide's
// domains named in `slowStop` may stop for up to 5 s: the time-scaled simulation makes earlier migrations look 10×
// faster than the guests' dirty rates, and the forecast's refusals must not depend on the tests' order.

export interface EvacuationWorld {
  sim: Awaited<ReturnType<typeof startTestCluster>>;
  db: Db;
  dir: string;
  inventory: Inventory;
  engine: JobEngine;
  hosts: HostService;
  evac: EvacuationService;
  stop(): Promise<void>;
}

export async function startEvacuationWorld(world: World, hostNames: string[], slowStop: string[]) {
  const sim = await startTestCluster(world);
  sim.world.timeScale = 10;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-evac-"));
  const db = await openTestDatabase(dir);
  // each host as an operator adds it (sim.record: its address, key, pinned fingerprint, toolstack)
  for (const name of hostNames) {
    const { id: _id, maintenance: _m, ...data } = sim.record(name);
    await db.host.create({ data });
  }
  const inventory = new Inventory(new SshPool());
  const hosts = new HostService(db, inventory);
  await hosts.loadAll();
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory, { pollMs: 20, virshPollMs: 40 });
  const evac = new EvacuationService(db, inventory, engine, hosts, new Placement(db, inventory));
  for (const domain of slowStop)
    await new Placement(db, inventory).setDomain({ domain, priority: 50, maxDowntimeMs: 5000 });
  return {
    sim,
    db,
    dir,
    inventory,
    engine,
    hosts,
    evac,
    async stop() {
      inventory.stop();
      await closeTestDatabase(db);
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  } satisfies EvacuationWorld;
}
