import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { hostFieldsOf, type SimHostInfo } from "../sim/cluster";
import type { Socket } from "socket.io-client";
import type { JobEvent } from "../lib/jobs/types";
import { percentile } from "../lib/jobs/history";

/** The simulated cluster in its own process (benches never share a process with it), on ephemeral ports. */
export async function startSimProcess(dir: string, env: Record<string, string> = {}) {
  const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
    env: { ...process.env, FERRY_SIM_DIR: path.join(dir, "sim"), SIM_BASE_PORT: "0", SIM_CONTROL_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = await new Promise<{ controlUrl: string; hosts: SimHostInfo[] }>((resolve, reject) => {
    readline.createInterface({ input: sim.stdout }).on("line", (l) => {
      if (l.startsWith("SIM_READY ")) resolve(JSON.parse(l.slice(10)));
    });
    sim.once("exit", (c) => reject(new Error(`the simulated cluster exited (${c})`)));
  });
  return { ...ready, pid: sim.pid!, stop: () => sim.kill("SIGTERM") };
}

/** CPU time (user + system, ms) a process has used, from /proc/<pid>/stat (Linux, 100 ticks a second). */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** An Inventory of the simulated hosts, ids = names. */
export function inventoryOf(hosts: SimHostInfo[]): Inventory {
  const inv = new Inventory(new SshPool());
  for (const h of hosts) inv.upsert({ id: h.name, ...hostFieldsOf(h), imageDir: "/xen-saved-images" });
  return inv;
}

/** Records job events a socket.io client receives: latency from the engine's timestamp, and seq gaps
 * (counted from the first event the client sees of each job, since it subscribes just after submitting). */
export class EventWatch {
  readonly latencies: number[] = [];
  lost = 0;
  watch(socket: Socket) {
    const last = new Map<string, number>();
    socket.on("job:event", (e: JobEvent) => {
      this.latencies.push(Date.now() - Date.parse(e.at));
      const prev = last.get(e.jobId) ?? e.seq - 1;
      if (e.seq > prev + 1) this.lost += e.seq - prev - 1;
      last.set(e.jobId, Math.max(prev, e.seq));
    });
  }
  summary() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? null,
      lost: this.lost,
    };
  }
}
