// `npm run bench:migrate-demo`: live-migrates the demo domains (real time, 1 Gbit/s simulated link) and
// reports, per migration, duration, downtime and bytes as Ferry measured them, and the latency of job
// events from the engine to a socket.io client (event timestamp → client receipt, same clock), with
// seq gaps counted as lost events. The simulated cluster runs in its own process.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { openDatabase } from "../lib/db/client";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal } from "../lib/jobs/types";
import { EventWatch, inventoryOf, startSimProcess } from "./support";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-mig-"));
const sim = await startSimProcess(dir);
const hosts = sim.hosts;
const { db } = await openDatabase(path.join(dir, "ferry.db"));
const inventory = inventoryOf(hosts);
await inventory.refreshAll();
const engine = new JobEngine(db, inventory, { pollMs: 100 });

const server = http.createServer();
const ioServer = new Server(server);
ioServer.on("connection", (s) => s.on("job:subscribe", (jobId: string) => void s.join(`job:${jobId}`)));
engine.on("event", (e) => ioServer.to(`job:${e.jobId}`).emit("job:event", e));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const client = connect(`http://127.0.0.1:${(server.address() as { port: number }).port}`, {
  transports: ["websocket"],
});
await new Promise<void>((r) => client.on("connect", () => r()));

const events = new EventWatch();
events.watch(client);

const rows: string[] = [];
for (const [domain, from, to] of [
  ["ubuntu_fuwa_nfs_domU", "hostB", "hostC"],
  ["debian_etch_domU", "hostB", "hostC"],
  ["ubuntu_fuwa_nfs_domU", "hostC", "hostB"],
  ["debian_etch_domU", "hostC", "hostB"],
]) {
  await inventory.refreshAll();
  const job = await engine.submit({ domain, sourceId: from, targetId: to, createdBy: "bench", confirmWarnings: true });
  client.emit("job:subscribe", job.id);
  for (;;) {
    const r = await db.job.findUniqueOrThrow({ where: { id: job.id } });
    if (isFinal(r.status as never) && !engine.activeJobOn(domain)) {
      const dur = r.finishedAt && r.startedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : NaN;
      rows.push(
        `${`${domain} ${from}→${to}`.padEnd(36)} ${r.status.padEnd(10)} ${String(dur).padStart(7)} ms  downtime ${String(r.downtimeMs ?? "-").padStart(4)} ms${r.downtimeBound ? " (≤)" : "    "}  sent ${(Number(r.bytesSent) / 1048576).toFixed(0).padStart(5)} MiB of ${r.memoryMiB} MiB`,
      );
      break;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}
await new Promise((r) => setTimeout(r, 200));
const ev = events.summary();
console.log("Live migrations of the demo domains (simulated Xen, 1 Gbit/s link, real time; poll every 100 ms):");
for (const r of rows) console.log(`  ${r}`);
console.log(
  `Job events engine → socket.io client: n=${ev.n}, p50 ${ev.p50} ms, p99 ${ev.p99} ms, max ${ev.max} ms, lost (seq gaps) ${ev.lost}`,
);
client.close();
ioServer.close();
inventory.stop();
await db.$disconnect();
sim.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
