// `npm run bench:saverestore-demo`: saves and restores the demo domains through the job engine and reports
// the throughput Ferry measured (memory ÷ job duration, from xl's own progress), plus how long a sha256 of
// a 1 GiB image takes with this machine's real `sha256sum` (a sparse 1 GiB file: the hashing is the cost).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { openDatabase } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal } from "../lib/jobs/types";
import type { SimHostInfo } from "../sim/cluster";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-save-"));
const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], { env: { ...process.env, FERRY_SIM_DIR: path.join(dir, "sim"), SIM_BASE_PORT: "0", SIM_CONTROL_PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
const hosts = await new Promise<SimHostInfo[]>((resolve, reject) => {
  readline.createInterface({ input: sim.stdout }).on("line", (l) => { if (l.startsWith("SIM_READY ")) resolve(JSON.parse(l.slice(10)).hosts); });
  sim.once("exit", (c) => reject(new Error(`sim exited ${c}`)));
});
const { db } = openDatabase(path.join(dir, "ferry.db"));
const inventory = new Inventory(new SshPool());
for (const h of hosts) inventory.upsert({ id: h.name, name: h.name, address: h.address, port: h.port, user: h.user, authMethod: "key", keyPath: h.keyPath, fingerprint: h.fingerprint, toolstack: "xl", imageDir: "/xen-saved-images" });
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
  const saved = await finish((await engine.submitSave({ domain, hostId: "hostB", dir: "/xen-storage/saves", createdBy: "bench" })).id);
  const sDur = saved.finishedAt!.getTime() - saved.startedAt!.getTime();
  const restored = await finish((await engine.submitRestore({ imageId: saved.imageId!, targetId: "hostC", createdBy: "bench" })).id);
  const rDur = restored.finishedAt!.getTime() - restored.startedAt!.getTime();
  const mib = saved.memoryMiB;
  rows.push(`${domain.padEnd(22)} ${String(mib).padStart(4)} MiB  save ${saved.status} ${sDur} ms (${((mib * 1000) / sDur).toFixed(0)} MiB/s incl. sha256)  restore ${restored.status} ${rDur} ms (${((mib * 1000) / rDur).toFixed(0)} MiB/s)`);
}
const big = path.join(dir, "1GiB.save");
execFileSync("truncate", ["-s", "1G", big]);
const t0 = performance.now();
execFileSync("sha256sum", [big]);
const shaMs = performance.now() - t0;
console.log("Save to shared storage on hostB, restore on hostC (simulated disk 400 MiB/s; durations as Ferry measured them):");
for (const r of rows) console.log("  " + r);
console.log(`sha256sum of a 1 GiB image on this machine (real coreutils): ${(shaMs / 1000).toFixed(2)} s (${(1024 / (shaMs / 1000)).toFixed(0)} MiB/s)`);
inventory.stop();
await db.$disconnect();
sim.kill("SIGTERM");
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
