import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Inventory } from "../inventory/inventory";
import type { Db } from "../db/client";
import type { startTestCluster } from "../../sim/testing";
import { createDiskWorld, placeDiskFile, XEN_DISK_DIR } from "../../sim/disk-world";
import type { EvacuationService } from "./service";
import { startEvacuationWorld } from "./testing/evacuation-world";

// Evacuating a Xen host one of whose guests has its disk on the host's own storage (SIM_WORLD=disks: xl-local, a
// sparse image in hostB's own /var/lib/xen/images): xl copies no disks live, so no host can take it live; the plan
// moves it by save/restore — its memory and disk copied while it is stopped — after the live moves, with the outage
// stated, and the run leaves every domain on hostC. Where each domain runs is asked of the simulated hosts.

const HOSTS = ["hostB", "hostC"];
const LIVE = ["ubuntu_fuwa_nfs_domU", "debian_etch_domU"];
const DISK = `${XEN_DISK_DIR}/xl-local.img`;
const MiB = 1024 * 1024;
let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let inventory: Inventory;
let evac: EvacuationService;
const idOf = (name: string) => inventory.snapshot().find((h) => h.name === name)!.id;

let stopWorld: () => Promise<void>;
beforeAll(async () => {
  const w = await startEvacuationWorld(createDiskWorld(), HOSTS, LIVE);
  ({ sim, db, inventory, evac } = w);
  stopWorld = w.stop;
});
afterAll(() => stopWorld());

describe("an evacuation with a guest whose disk is on its host's own storage (xl)", () => {
  it("plans it by save/restore after the live moves, with the outage its move's checks state; nothing moves", async () => {
    const { plan } = await evac.plan({ hostId: idOf("hostB"), kind: "evacuate" });
    expect(plan.left).toEqual([]);
    expect(plan.complete).toBe(true);
    const live = plan.moves.filter((m) => !m.how);
    expect(live.map((m) => m.domain).sort()).toEqual([...LIVE].sort());
    const last = plan.moves.at(-1)!;
    expect(last).toMatchObject({ domain: "xl-local", target: "hostC", how: "save-restore", order: 3 });
    expect(last.downtimeMs).toBe(last.durationMs);
    expect(last.durationMs).toBeGreaterThan(0);
    expect(last.startMs).toBeGreaterThanOrEqual(Math.max(...live.map((m) => m.startMs + m.durationMs)));
    expect(plan.totalMs).toBe(last.startMs + last.durationMs);
    expect(sim.world.locate("xl-local")).toEqual(["hostB"]);
  });

  it("runs it: the live moves first, then xl-local by save/restore; every domain runs once, on hostC, its disk whole there", async () => {
    await inventory.refreshAll();
    const { plan } = await evac.plan({ hostId: idOf("hostB"), kind: "evacuate" });
    const started = await evac.run(
      {
        hostId: idOf("hostB"),
        kind: "evacuate",
        expect: plan.moves.map((m) => ({ domain: m.domain, target: m.target })),
      },
      "test",
    );
    const deadline = Date.now() + 120_000;
    let view = await evac.get(started.id);
    while (["running", "stopping"].includes(view.status)) {
      if (Date.now() > deadline) throw new Error(`evacuation still ${view.status}`);
      await new Promise((r) => setTimeout(r, 25));
      view = await evac.get(started.id);
    }
    expect(view.moves.map((m) => [m.domain, m.state, m.message])).toEqual(
      plan.moves.map((m) => [m.domain, "succeeded", `${m.domain} runs on hostC.`]),
    );
    expect(view.status).toBe("finished");
    for (const d of [...LIVE, "xl-local"]) expect(sim.world.locate(d)).toEqual(["hostC"]);
    expect(sim.world.file("hostC", DISK)).toMatchObject({ size: 64 * MiB, apparent: 512 * MiB });
    // xl-local's job is a move of this evacuation, begun after both live migrations had ended
    const jobs = await db.job.findMany({ where: { evacuationId: started.id } });
    const move = jobs.find((j) => j.domainName === "xl-local")!;
    expect(move.kind).toBe("move");
    const liveEnds = jobs.filter((j) => j.kind === "migrate").map((j) => j.finishedAt!.getTime());
    expect(liveEnds).toHaveLength(2);
    expect(move.createdAt.getTime()).toBeGreaterThanOrEqual(Math.max(...liveEnds));
  });

  it("a guest whose move by save/restore is refused too stays, with both reasons", async () => {
    // back on hostB with its disk, and hostC holding a file at the disk's path: the copy would write over it
    const b = sim.world.host("hostB");
    const c = sim.world.host("hostC");
    const i = c.domains.findIndex((d) => d.name === "xl-local");
    b.domains.push({ ...c.domains.splice(i, 1)[0], state: "running", job: undefined });
    await inventory.refreshAll();
    expect(sim.world.file("hostB", DISK)).toBeTruthy();
    placeDiskFile(sim.world, "hostC", DISK, MiB);
    const { plan } = await evac.plan({ hostId: idOf("hostB"), kind: "evacuate" });
    expect(plan.moves).toEqual([]);
    expect(plan.complete).toBe(false);
    const left = plan.left.find((l) => l.domain === "xl-local")!;
    expect(left.reason).toMatch(/^No host can take xl-local live: .*Not on shared storage that hostC mounts/);
    expect(left.reason).toContain(
      `Nor by save/restore: hostC: xvda (${DISK}) must be copied: hostC already has a file at ${DISK}: Ferry does not write over it.`,
    );
  });
});
