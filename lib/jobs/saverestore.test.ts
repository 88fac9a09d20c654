import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JobEngine } from "./engine";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { HostRecord } from "../inventory/types";
import { isFinal, type JobSummary } from "./types";
import { summaryOf } from "./store";
import { startTestCluster } from "../../sim/testing";

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let inventory: Inventory;
let engine: JobEngine;
const id = (n: string) => `id-${n}`;

beforeAll(async () => {
  sim = await startTestCluster();
  sim.world.timeScale = 20;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-save-"));
  db = await openTestDatabase(dir);
  inventory = new Inventory(new SshPool());
  for (const n of ["hostA", "hostB", "hostC"]) {
    const h = sim.info(n);
    inventory.upsert({
      id: id(n),
      name: n,
      address: h.address,
      port: h.port,
      user: h.user,
      authMethod: "key",
      keyPath: h.keyPath,
      fingerprint: h.fingerprint,
      toolstack: "xl",
      imageDir: "/xen-saved-images",
    } satisfies HostRecord);
  }
  await inventory.refreshAll();
  sim.world.host("hostB").dirs["/xen-saved-images"].mode = 0o700; // the demo's warning case; private here
  engine = new JobEngine(db, inventory, { pollMs: 20 });
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await inventory.refreshAll();
});

async function finalOf(jobId: string): Promise<JobSummary> {
  for (let i = 0; i < 1200; i++) {
    const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName)) return summaryOf(row);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("job did not finish");
}
const where = (d: string) => sim.world.locate(d);

describe("save, restore and move", () => {
  it("an image the domain has run past is refused unless the operator knows its disks changed (then it warns)", async () => {
    // the engine starts from the inventory's picture: refreshed first, as after a restore it may not be yet
    const save = async () =>
      inventory.refreshAll().then(async () =>
        finalOf(
          (
            await engine.submitSave({
              domain: "ubuntu_fuwa_nfs_domU",
              hostId: id("hostB"),
              dir: "/xen-storage/saves",
              createdBy: "t",
            })
          ).id,
        ),
      );
    const restore = async (imageId: string, acknowledgeStale?: boolean) =>
      finalOf((await engine.submitRestore({ imageId, targetId: id("hostB"), createdBy: "t", acknowledgeStale })).id);
    const imageOf = async (job: JobSummary) => (await engine.catalog.list()).find((i) => i.path === job.imagePath)!;
    const a = await imageOf(await save());
    expect(await engine.preflight.checkRestore(a.id, id("hostB"))).toContainEqual(
      expect.objectContaining({ id: "fresh", status: "ok" }),
    );
    const first = await restore(a.id);
    expect(first.status).toBe("succeeded");
    const b = await imageOf(await save());
    // image A now: restored from already, and superseded by B — the hosts are not touched by the refusal
    const stale = await restore(a.id);
    expect(stale).toMatchObject({ status: "failed", errorCode: "check_failed" });
    expect(stale.errorMessage).toContain(`restored from it at`);
    expect(stale.errorMessage).toContain(`(job ${first.id})`);
    expect(stale.errorMessage).toContain(`saved again at`);
    expect(stale.errorMessage).toContain(b.path);
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual([]);
    // the latest image is the domain's own state: it restores
    expect(await engine.preflight.checkRestore(b.id, id("hostB"))).toContainEqual(
      expect.objectContaining({ id: "fresh", status: "ok" }),
    );
    // and the stale one does, when the operator says they know
    const acknowledged = await engine.preflight.checkRestore(a.id, id("hostB"), undefined, true);
    expect(acknowledged.find((c) => c.id === "fresh")).toMatchObject({ status: "warn" });
    expect((await restore(a.id, true)).status).toBe("succeeded");
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual(["hostB"]);
  });

  it("saves a domain to shared storage: it leaves its host, the image is 0600 with its sha256, in the catalog", async () => {
    const job = await finalOf(
      (
        await engine.submitSave({
          domain: "ubuntu_fuwa_nfs_domU",
          hostId: id("hostB"),
          dir: "/xen-storage/saves",
          createdBy: "t",
        })
      ).id,
    );
    expect(job.status).toBe("succeeded");
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual([]);
    const [image] = await engine.catalog.list();
    expect(image).toMatchObject({
      domainName: "ubuntu_fuwa_nfs_domU",
      memoryMiB: 256,
      hostName: "hostB",
      integrity: "verified",
      mode: "600",
    });
    expect(image.sizeBytes).toBeGreaterThan(256 * 1024 * 1024);
    expect(image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sim.world.file("hostC", image.path)?.mode).toBe(0o600);
    const events = await engine.events(job.id, 0);
    expect(events.filter((e) => e.type === "sample").length).toBeGreaterThan(5);

    const restored = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostC"), createdBy: "t" })).id,
    );
    expect(restored).toMatchObject({ status: "succeeded", locationHost: "hostC" });
    expect(restored.locationNote).toMatch(/domain id \d+.*xl console ubuntu_fuwa_nfs_domU/);
    expect(where("ubuntu_fuwa_nfs_domU")).toEqual(["hostC"]);
  });

  it("a disk that fills up mid-save resumes the domain and leaves no partial image", async () => {
    sim.world.faults.push({ kind: "disk-full", atPercent: 40, domain: "debian_etch_domU" });
    const job = await finalOf(
      (
        await engine.submitSave({
          domain: "debian_etch_domU",
          hostId: id("hostB"),
          dir: "/xen-saved-images",
          createdBy: "t",
        })
      ).id,
    );
    expect(job).toMatchObject({ status: "failed", errorCode: "save_no_space", locationHost: "hostB" });
    expect(where("debian_etch_domU")).toEqual(["hostB"]);
    expect(sim.world.file("hostB", job.imagePath!)).toBeUndefined();
  });

  it("refuses to restore an image that changed, and one whose domain already runs", async () => {
    const job = await finalOf(
      (
        await engine.submitSave({
          domain: "debian_etch_domU",
          hostId: id("hostB"),
          dir: "/xen-storage/saves",
          createdBy: "t",
        })
      ).id,
    );
    expect(job.status).toBe("succeeded");
    const image = (await engine.catalog.list()).find((i) => i.path === job.imagePath)!;
    sim.world.file("hostB", image.path)!.head[60] ^= 0xff; // someone edited the file
    const refused = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostC"), createdBy: "t" })).id,
    );
    expect(refused).toMatchObject({ status: "failed", errorCode: "check_failed" });
    expect(refused.errorMessage).toContain("changed since it was saved");
    expect(where("debian_etch_domU")).toEqual([]);
    expect((await engine.catalog.verify(image.id)).integrity).toBe("changed");
    sim.world.file("hostB", image.path)!.head[60] ^= 0xff;
    expect((await engine.catalog.verify(image.id)).integrity).toBe("verified");
    // no room on hostA for 512 MiB
    sim.world.host("hostA").totalMemoryMiB = 1200;
    await inventory.refreshAll();
    const noRoom = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostA"), createdBy: "t" })).id,
    );
    sim.world.host("hostA").totalMemoryMiB = 4096;
    expect(noRoom.errorMessage).toMatch(/needs 512 MiB; hostA has \d+ MiB free/);
    // a file that vanished from the host cannot be restored anywhere
    const at = sim.world.locatePath("hostB", image.path)!;
    const kept = sim.world.files.get(at.key)!;
    sim.world.files.delete(at.key);
    const gone = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostC"), createdBy: "t" })).id,
    );
    expect(gone).toMatchObject({ status: "failed", errorCode: "check_failed" });
    expect(gone.errorMessage).toContain("cannot read");
    expect((await engine.catalog.verify(image.id)).integrity).toBe("missing");
    sim.world.files.set(at.key, kept);
    const back = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostB"), createdBy: "t" })).id,
    );
    expect(back.status).toBe("succeeded");
    const twice = await finalOf(
      (await engine.submitRestore({ imageId: image.id, targetId: id("hostC"), createdBy: "t" })).id,
    );
    expect(twice.errorMessage).toContain("already runs on hostB");
    expect(where("debian_etch_domU")).toEqual(["hostB"]);
  });

  it("moves by save/restore through shared storage, and by copying when the target cannot see the file", async () => {
    const shared = await finalOf(
      (
        await engine.submitMove({
          domain: "debian_etch_domU",
          sourceId: id("hostB"),
          targetId: id("hostC"),
          createdBy: "t",
        })
      ).id,
    );
    expect(shared).toMatchObject({ status: "succeeded", locationHost: "hostC", downtimeBound: true });
    expect(shared.downtimeMs).toBeGreaterThan(0); // the guest was stopped from the save to the end of the restore
    expect(shared.imagePath).toMatch(/^\/xen-storage\/saves\//);
    expect(sim.world.file("hostC", shared.imagePath!)).toBeUndefined(); // deleted after success
    expect(where("debian_etch_domU")).toEqual(["hostC"]);
    // no shared directory on the way back: save locally on hostC, scp to hostB, restore
    process.env.FERRY_SHARED_IMAGE_DIRS = "/nonexistent";
    await inventory.refreshAll();
    try {
      const copied = await finalOf(
        (
          await engine.submitMove({
            domain: "debian_etch_domU",
            sourceId: id("hostC"),
            targetId: id("hostB"),
            createdBy: "t",
          })
        ).id,
      );
      expect(copied).toMatchObject({ status: "succeeded", locationHost: "hostB" });
      const log = (await engine.events(copied.id, 0))
        .filter((e) => e.type === "log")
        .map((e) => (e.payload as { line: string }).line);
      expect(log.some((l) => l.includes("copying"))).toBe(true);
      // the image's copy as hostB counted it: from nothing to whole (the size the catalog knew)
      const progress = (await engine.events(copied.id, 0)).flatMap((e) =>
        e.type === "file-progress" ? [e.payload] : [],
      );
      expect(progress[0]).toMatchObject({ host: "hostB", label: "the memory image", copiedBytes: 0 });
      expect(progress.at(-1)!.copiedBytes).toBe(progress[0].bytes);
      expect(progress[0].bytes).toBeGreaterThan(0);
      expect(sim.world.file("hostC", copied.imagePath!)).toBeUndefined();
    } finally {
      delete process.env.FERRY_SHARED_IMAGE_DIRS;
    }
    expect(where("debian_etch_domU")).toEqual(["hostB"]);
  });
});
