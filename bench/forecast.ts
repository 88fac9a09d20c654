// `npm run bench:forecast`: median absolute error of the forecast against the simulated outcome over a
// workload suite (small/large memory × low/high dirty rate × slow/fast link), for Xen (xl, hostB → hostC)
// and for QEMU (virsh with auto-converge, kvmA → kvmB). The simulation runs at TIME_SCALE× speed in its own
// process; outcomes are converted back to simulated time. The forecast is given the workload's true
// parameters, so this measures the model and Ferry's measurement (polling, handshake), not the learning.
// Where the real-host lab is up (root, `npm run lab:up`), it also migrates the lab's QEMU guest with three
// settings and compares the product's own forecast (its link probe and QEMU's dirty-rate measurement) with
// what QEMU reported (domjobinfo --completed), and moves the lab's guest with a disk of its own live with its disk
// (bench/forecast-lab-disks.ts; DISK_RUNS, default 4).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { openDatabase } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal } from "../lib/jobs/types";
import { forecastQemu, forecastXen } from "../lib/forecast/model";
import { labForecastRows } from "./forecast-lab";
import { labDiskForecastRows } from "./forecast-lab-disks";
import type { SimHostInfo } from "../sim/cluster";

const SCALE = Number(process.env.TIME_SCALE ?? 4);
const MiB = 1024 * 1024;
const suite = [256, 1024].flatMap((mem) =>
  [
    [4, 32],
    [60, 256],
  ].flatMap(([dirty, wws]) => [125_000_000, 31_250_000].map((bw) => ({ mem, dirty, wws: Math.min(wws, mem / 2), bw }))),
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-fc-"));
const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
  env: { ...process.env, FERRY_SIM_DIR: path.join(dir, "sim"), SIM_BASE_PORT: "0", SIM_CONTROL_PORT: "0" },
  stdio: ["ignore", "pipe", "inherit"],
});
const ready = await new Promise<{ controlUrl: string; hosts: SimHostInfo[] }>((resolve, reject) => {
  readline.createInterface({ input: sim.stdout }).on("line", (l) => {
    if (l.startsWith("SIM_READY ")) resolve(JSON.parse(l.slice(10)));
  });
  sim.once("exit", (c) => reject(new Error(`sim exited ${c}`)));
});
const control = (p: string, body?: object) =>
  fetch(`${ready.controlUrl}${p}`, { method: "POST", ...(body ? { body: JSON.stringify(body) } : {}) });
await control(`/time-scale?value=${SCALE}`);
const { db } = await openDatabase(path.join(dir, "ferry.db"));
const inventory = new Inventory(new SshPool());
for (const h of ready.hosts)
  inventory.upsert({
    id: h.name,
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: h.toolstack,
    imageDir: "/xen-saved-images",
  });
await inventory.refreshAll();
const engine = new JobEngine(db, inventory, { pollMs: 10, virshPollMs: 25 });
console.log(`Forecast against simulated outcome (time scale ${SCALE}×, poll 10 ms; outcomes in simulated time):`);

const errT: number[] = [];
const errD: number[] = [];
let i = 0;
// BENCH_LAB_ONLY=1: only the real-QEMU part (the lab)
for (const [toolstack, from, to] of process.env.BENCH_LAB_ONLY
  ? []
  : ([
      ["xl", "hostB", "hostC"],
      ["virsh", "kvmA", "kvmB"],
    ] as const))
  for (const w of suite) {
    const name = `bench${i++}`;
    await control("/test-domain", {
      host: from,
      name,
      memoryMiB: w.mem,
      wwsMiB: w.wws,
      dirtyMiBps: w.dirty,
      bandwidth: w.bw,
      to,
    });
    // a refresh already in flight (after the previous job) may predate the new domain: refresh until it shows
    while (!(await inventory.refreshHost(from)).domains.some((d) => d.name === name))
      await new Promise((r) => setTimeout(r, 20));
    const qemu = toolstack === "virsh";
    const job = await engine.submit({
      domain: name,
      sourceId: from,
      targetId: to,
      createdBy: "bench",
      confirmWarnings: true,
      ...(qemu ? { options: { autoConverge: true } } : {}),
    });
    let row: Awaited<ReturnType<typeof db.job.findUniqueOrThrow>>;
    for (;;) {
      row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
      if (isFinal(row.status as never) && !engine.activeJobOn(name)) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    const actualMs = (row.finishedAt!.getTime() - row.startedAt!.getTime()) * SCALE;
    // xl: Ferry measures downtime by polling (real ms); QEMU reports it, and the simulated QEMU in simulated ms
    const actualDown = qemu ? (row.downtimeMs ?? NaN) : (row.downtimeMs ?? NaN) * SCALE;
    const input = {
      memoryBytes: w.mem * MiB,
      dirtyBps: w.dirty * MiB,
      wwsBytes: w.wws * MiB,
      bandwidthBps: w.bw,
      handshakeMs: qemu ? 5 : 80,
    };
    const f = qemu ? forecastQemu({ ...input, maxDowntimeMs: 300, autoConverge: true }) : forecastXen(input);
    const eT = Math.abs(f.totalMs - actualMs) / actualMs;
    const eD = Math.abs(f.downtimeMs - actualDown) / actualDown;
    errT.push(eT);
    errD.push(eD);
    console.log(
      "  " +
        `${toolstack.padEnd(5)} ${String(w.mem).padStart(5)} MiB  dirty ${String(w.dirty).padStart(3)} MiB/s wws ${String(w.wws).padStart(3)} MiB  link ${((w.bw * 8) / 1e6).toFixed(0).padStart(4)} Mbit/s | forecast ${(f.totalMs / 1000).toFixed(1).padStart(6)} s ${String(Math.round(f.downtimeMs)).padStart(6)} ms ${f.verdict.padEnd(19)} | actual ${(actualMs / 1000).toFixed(1).padStart(6)} s ${String(Math.round(actualDown)).padStart(6)} ms ${row.status} | error ${(eT * 100).toFixed(0).padStart(3)} % / ${(eD * 100).toFixed(0).padStart(3)} %`,
    );
  }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (errT.length) {
  const half = errT.length / 2;
  console.log(
    `median absolute error: time ${(med(errT) * 100).toFixed(1)} %, downtime ${(med(errD) * 100).toFixed(1)} %  (goal ≤ 15 %)`,
  );
  console.log(
    `  xl: time ${(med(errT.slice(0, half)) * 100).toFixed(1)} %, downtime ${(med(errD.slice(0, half)) * 100).toFixed(1)} % (a downtime below the poll interval reads 0 ms: error ∞) · QEMU: time ${(med(errT.slice(half)) * 100).toFixed(1)} %, downtime ${(med(errD.slice(half)) * 100).toFixed(1)} %`,
  );
}
inventory.stop();
await labForecastRows();
await labDiskForecastRows();
await db.$disconnect();
sim.kill("SIGTERM");
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
