// `npm run bench:stream` (K=50 C=100): K concurrent simulated migrations watched by C socket.io clients in a process
// of their own (bench/stream-clients.ts), as browsers are. Reports the latency of job events from the engine to the
// clients (p50, p99), events lost (seq gaps after a client's first event of a job), and the server's CPU and memory.
// Sim in its own process. HOG=1: a CPU hog (`yes`) beside it all, on one core's worth. BENCH_PROFILE=<dir>: a CPU
// profile of the server's process (the profiler's own cost is in that run's figures).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Server } from "socket.io";
import { fork, spawn } from "node:child_process";
import { openDatabase } from "../lib/db/client";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal } from "../lib/jobs/types";
import { profileThisProcess, report } from "./profile";
import { inventoryOf, startSimProcess } from "./support";
import type { EventWatch } from "./support";

// INSTANCES=2: several Ferry instances on PostgreSQL instead (bench/stream-instances.ts)
if (process.env.INSTANCES) {
  await import("./stream-instances");
  process.exit(0);
}

const K = Number(process.env.K ?? 50);
const C = Number(process.env.C ?? 100);
const hog = process.env.HOG ? spawn("yes", { stdio: ["ignore", "ignore", "ignore"] }) : null;
const HOSTS = Math.ceil(K / 2) + 1;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-stream-"));
const sim = await startSimProcess(dir, { SIM_HOSTS: String(HOSTS), SIM_DOMAINS: "2" });
const hosts = sim.hosts;
const { db } = await openDatabase(path.join(dir, "ferry.db"));
const inventory = inventoryOf(hosts);
await inventory.refreshAll();
const engine = new JobEngine(db, inventory);
const server = http.createServer();
const ioServer = new Server(server);
ioServer.on("connection", (s) => s.on("job:subscribe", (id: string) => void s.join(`job:${id}`)));
engine.on("event", (e) => ioServer.to(`job:${e.jobId}`).emit("job:event", e));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const clients = fork(path.join(import.meta.dirname, "stream-clients.ts"), {
  env: { ...process.env, STREAM_URL: url, C: String(C) },
  execArgv: ["--import", "tsx"],
});
await new Promise<void>((r) => clients.on("message", (m: { ready?: number }) => m.ready && r()));
// how long the server's event loop kept a ready callback waiting: what an event waits for before it is sent
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let rssPeak = 0;
const rssTimer = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 100);
/** Every migration submitted, each subscribed to by the clients; resolves when every job has ended. */
async function migrateAll(): Promise<string[]> {
  const jobs: string[] = [];
  for (let k = 0; k < K; k++) {
    const src = hosts[Math.floor(k / 2)];
    const dst = hosts[Math.floor(k / 2) + 1] ?? hosts[0];
    const job = await engine.submit({
      domain: `${src.name}-vm${String((k % 2) + 1).padStart(2, "0")}`,
      sourceId: src.name,
      targetId: dst.name,
      createdBy: "bench",
      confirmWarnings: true,
    });
    clients.send({ subscribe: job.id });
    jobs.push(job.id);
  }
  for (;;) {
    const rows = await db.job.findMany({ where: { id: { in: jobs } } });
    if (rows.every((r) => isFinal(r.status as never))) return jobs;
    await new Promise((r) => setTimeout(r, 200));
  }
}
// BENCH_PROFILE=<dir>: a CPU profile of the server's process over the whole run
let jobs: string[];
if (process.env.BENCH_PROFILE) {
  const { result, profile } = await profileThisProcess(migrateAll);
  jobs = result;
  report(process.env.BENCH_PROFILE, `stream-${K}x${C}`, "the server's process, every migration", profile);
} else jobs = await migrateAll();
await new Promise((r) => setTimeout(r, 300));
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
clearInterval(rssTimer);
const ok = (await db.job.findMany({ where: { id: { in: jobs } } })).filter((r) => r.status === "succeeded").length;
const ev = await new Promise<ReturnType<EventWatch["summary"]>>((r) => {
  clients.on("message", (m: { summary?: ReturnType<EventWatch["summary"]> }) => m.summary && r(m.summary));
  clients.send({ done: true });
});
console.log(
  `${K} concurrent migrations (${ok} succeeded) watched by ${C} socket.io clients in their own process, ${(wall / 1000).toFixed(1)} s${hog ? ", a CPU hog beside it" : ""}; load ${os.loadavg()[0].toFixed(2)}:`,
);
console.log(
  `  events delivered ${ev.n}; latency engine → client p50 ${ev.p50} ms, p99 ${ev.p99} ms (goal ≤ ${hog ? 50 : 25} ms), max ${ev.max} ms; lost ${ev.lost} (goal 0)`,
);
loopDelay.disable();
// the histogram counts the timer's own resolution (5 ms) in every sample: the delay beyond it
const beyond = (ms: number) => Math.max(0, ms / 1e6 - 5).toFixed(0);
console.log(
  `  server CPU ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)} % of one core; peak RSS ${(rssPeak / 1048576).toFixed(0)} MiB (Ferry's engine and socket.io); event loop delay p99 ${beyond(loopDelay.percentile(99))} ms, max ${beyond(loopDelay.max)} ms`,
);
hog?.kill();
ioServer.close();
inventory.stop();
await db.$disconnect();
sim.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
