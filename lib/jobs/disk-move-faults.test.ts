import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngineWorld, type EngineWorld } from "./testing/engine-world";
import { killedMidJob } from "./testing/killed-mid-job";
import { createDiskWorld, XEN_DISK_DIR } from "../../sim/disk-world";

// A move by save/restore whose disk the target does not see (issue 31; SIM_WORLD=disks' xl-local, a sparse image on
// hostB's own storage), with Ferry SIGKILLed while the disk is copied: the restarted engine asks the hosts, waits for
// the copy still running on hostB, and removes what it had begun on hostC — a restore there must never open a partial
// copy — while the domain sits whole in its catalogued image and hostB's disk is untouched.

const DISK = `${XEN_DISK_DIR}/xl-local.img`;
const MiB = 1024 * 1024;
const id = (name: string) => `id-${name}`;
let w: EngineWorld;

beforeAll(async () => {
  w = await startEngineWorld(createDiskWorld(), ["hostB", "hostC"], "disk-move-faults");
});
afterAll(() => w.stop());

describe("a move by save/restore with Ferry killed while the disk is copied", () => {
  it("the recovery waits for the copy on hostB, removes hostC's copy, and says the domain sits in its image", async () => {
    const { sim, engine } = w;
    // 64 MiB at 8 MiB/s: 8 s of simulated time, the copy still running on hostB when Ferry dies
    sim.world.links.set(sim.world.linkKey("hostB", "hostC"), 8 * MiB);
    const before = { ...sim.world.file("hostB", DISK)! };
    const jobId = await killedMidJob(
      { db: w.db, dir: w.dir, hosts: w.records },
      { kind: "move", domain: "xl-local", sourceId: id("hostB"), targetId: id("hostC"), createdBy: "t" },
      (e) => e.type === "log" && e.payload.line.startsWith("ferry: copying xvda"),
    );
    // Ferry is gone; the copy runs on, as a real one would
    expect(sim.world.locate("xl-local")).toEqual([]);
    expect(await engine.recover()).toBe(1);
    const job = await w.finalOf(jobId);
    // the copy has ended on hostB (had the recovery not waited for it, it would have written hostC's file after the removal)
    expect([...sim.world.processes].filter((p) => p.host === "hostB" && p.argv.includes("ferry-copy"))).toEqual([]);
    expect(job).toMatchObject({ status: "interrupted", locationHost: null });
    expect(job.locationNote).toMatch(
      /^xl-local is saved in hostB:\S+ \(in the catalog\); restore it from the Images page\./,
    );
    expect(job.locationNote).toContain(
      "The disk copies it had begun on hostC were removed; its disks on hostB are untouched.",
    );
    // asked of the hosts: no copy on hostC, hostB's disk as it was, the domain in its image on hostB
    expect(sim.world.file("hostC", DISK)).toBeUndefined();
    expect(sim.world.file("hostB", DISK)).toMatchObject({
      size: before.size,
      apparent: before.apparent,
      head: before.head,
    });
    expect(sim.world.locate("xl-local")).toEqual([]);
    const images = await w.db.image.findMany({ where: { jobId } });
    expect(images.map((i) => i.domainName)).toEqual(["xl-local"]);
    // what it began was on record before the copy began
    const begun = (await engine.events(jobId, 0)).filter((e) => e.type === "disk-file-copy");
    expect(begun.map((e) => e.payload)).toEqual([{ host: "hostC", path: DISK, vdev: "xvda", bytes: 64 * MiB }]);
    // and the recovery waited for the copy: the removal came after the copy ended on hostB
    const log = (await engine.events(jobId, 0)).flatMap((e) => (e.type === "log" ? [e.payload.line] : []));
    expect(log).toContain(`ferry: removed the disk copies this move had begun on hostC: ${DISK}`);
  });
});
