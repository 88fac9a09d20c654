// `npm run bench:inventory-demo`: how long a full inventory refresh of the demo cluster takes.
// The simulated cluster runs in its own process (sim/main.ts); Ferry's Inventory refreshes it cold
// (connections opened) and warm (persistent connections), against a baseline measured in the same run:
// plain OpenSSH, one fresh connection per host, the same four xl commands in one shell, hosts in sequence.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import type { SimHostInfo } from "../sim/cluster";

const RUNS = Number(process.env.RUNS ?? 20);
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-"));
const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
  env: {
    ...process.env,
    FERRY_SIM_DIR: stateDir,
    SIM_BASE_PORT: process.env.SIM_BASE_PORT ?? "0",
    SIM_CONTROL_PORT: "0",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const hosts = await new Promise<SimHostInfo[]>((resolve, reject) => {
  readline.createInterface({ input: sim.stdout }).on("line", (l) => {
    if (l.startsWith("SIM_READY ")) resolve(JSON.parse(l.slice(10)).hosts);
  });
  sim.once("exit", (c) => reject(new Error(`sim exited ${c}`)));
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function inventoryOfSim(): Inventory {
  const inv = new Inventory(new SshPool());
  for (const h of hosts)
    inv.upsert({
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
  return inv;
}
const warmup = inventoryOfSim();
await warmup.refreshAll();
warmup.stop();

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const fresh = inventoryOfSim(); // upsert begins each host's cold refresh; refreshAll joins those in flight
  await fresh.refreshAll();
  cold.push(performance.now() - t0);
  for (let j = 0; j < RUNS / 5; j++) warm.push((await fresh.refreshAll()).ms);
  if (fresh.snapshot().some((h) => h.status !== "online")) throw new Error("a host did not answer");
  fresh.stop();
}

const base: number[] = [];
for (let i = 0; i < Math.min(RUNS, 10); i++) {
  const t0 = performance.now();
  for (const h of hosts) {
    execFileSync(
      "ssh",
      [
        "-i",
        h.keyPath,
        "-p",
        String(h.port),
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
        `${h.user}@${h.address}`,
        "xl info; xl list; xl list -l; xl uptime",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  }
  base.push(performance.now() - t0);
}

sim.kill("SIGTERM");
fs.rmSync(stateDir, { recursive: true, force: true });
const row = (name: string, xs: number[]) =>
  `${name.padEnd(44)} ${median(xs).toFixed(1).padStart(8)} ms  (n=${xs.length}, min ${Math.min(...xs).toFixed(1)})`;
console.log(`Full inventory refresh of the demo cluster (${hosts.length} hosts, 4 xl commands each), median:`);
console.log(row("Ferry, cold (connect + 4 execs per host)", cold));
console.log(row("Ferry, warm (persistent connections)", warm));
console.log(row("baseline: OpenSSH fresh connection, sequential", base));
console.log(
  `ratio baseline / Ferry warm: ${(median(base) / median(warm)).toFixed(1)}×; baseline / Ferry cold: ${(median(base) / median(cold)).toFixed(1)}×`,
);
