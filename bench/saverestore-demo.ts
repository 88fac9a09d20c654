// `npm run bench:saverestore-demo`: saves and restores the demo domains through the job engine and reports
// the throughput Ferry measured (memory ÷ job duration, from xl's own progress), plus how long a sha256 of
// a 1 GiB image takes with this machine's real `sha256sum` (a sparse 1 GiB file: the hashing is the cost).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal } from "../lib/jobs/types";
import { inventoryOf, startSimProcess } from "./support";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-save-"));
const sim = await startSimProcess(dir);
const hosts = sim.hosts;
const { db } = await openDatabase(path.join(dir, "ferry.db"));
const inventory = inventoryOf(hosts);
await inventory.refreshAll();
const engine = new JobEngine(db, inventory);

async function finish(jobId: string) {
  for (;;) {
    const r = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(r.status as never) && !engine.activeJobOn(r.domainName)) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}
const rows: string[] = [];
for (const domain of ["ubuntu_fuwa_nfs_domU", "debian_etch_domU"]) {
  await inventory.refreshAll();
  const saved = await finish(
    (await engine.submitSave({ domain, hostId: "hostB", dir: "/xen-storage/saves", createdBy: "bench" })).id,
  );
  const sDur = saved.finishedAt!.getTime() - saved.startedAt!.getTime();
  const restored = await finish(
    (await engine.submitRestore({ imageId: saved.imageId!, targetId: "hostC", createdBy: "bench" })).id,
  );
  const rDur = restored.finishedAt!.getTime() - restored.startedAt!.getTime();
  const mib = saved.memoryMiB;
  rows.push(
    `${domain.padEnd(22)} ${String(mib).padStart(4)} MiB  save ${saved.status} ${sDur} ms (${((mib * 1000) / sDur).toFixed(0)} MiB/s incl. sha256)  restore ${restored.status} ${rDur} ms (${((mib * 1000) / rDur).toFixed(0)} MiB/s)`,
  );
}
const big = path.join(dir, "1GiB.save");
execFileSync("truncate", ["-s", "1G", big]);
const t0 = performance.now();
execFileSync("sha256sum", [big]);
const shaMs = performance.now() - t0;
console.log(
  "Save to shared storage on hostB, restore on hostC (simulated disk 400 MiB/s; durations as Ferry measured them):",
);
for (const r of rows) console.log(`  ${r}`);
console.log(
  `sha256sum of a 1 GiB image on this machine (real coreutils): ${(shaMs / 1000).toFixed(2)} s (${(1024 / (shaMs / 1000)).toFixed(0)} MiB/s)`,
);
inventory.stop();
await db.$disconnect();
sim.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
