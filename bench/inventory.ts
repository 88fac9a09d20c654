// `npm run bench:inventory` (HOSTS=200 DOMAINS=20 LARGE=1000): a full inventory refresh of N simulated hosts × M
// domains (sim in its own process), cold (connections opened) and warm, then Ferry's alone at LARGE hosts, against (a) a sequential loop of
// OpenSSH `ssh host xl list -l` and (b) a parallel OpenSSH fan-out with a fresh connection per host
// (`xargs -P 10`), on the same hosts, in the same run. HOG=1: a CPU hog (`yes`) beside it all; BENCH_PROFILE=<dir>:
// a CPU profile of Ferry's process over five more warm refreshes (the simulated hosts run in their own process).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SimHostInfo } from "../sim/cluster";
import { profileThisProcess, report } from "./profile";
import { cpuMsOf, inventoryOf, startSimProcess } from "./support";

const hog = process.env.HOG ? spawn("yes", { stdio: ["ignore", "ignore", "ignore"] }) : null;
const HOSTS = Number(process.env.HOSTS ?? 200);
const DOMAINS = Number(process.env.DOMAINS ?? 20);
const LARGE = Number(process.env.LARGE ?? 1000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-inv-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Ferry's refreshes of these hosts: cold (3 new inventories) and warm (5 refreshes of each), and the CPU time the
 * warm ones took in Ferry's process and in the simulated hosts' (one process for all the hosts, where real hosts
 * each have their own CPU: when it is busy the whole refresh, the refresh measures the simulator).
 */
async function measure(hosts: SimHostInfo[], simPid: number, profileAs?: string) {
  const cold: number[] = [];
  const warm: number[] = [];
  let ferryCpu = 0;
  let simCpu = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const inv = inventoryOf(hosts);
    await inv.refreshAll();
    cold.push(performance.now() - t0);
    const c0 = process.cpuUsage();
    const s0 = cpuMsOf(simPid);
    for (let j = 0; j < 5; j++) warm.push((await inv.refreshAll()).ms);
    const c = process.cpuUsage(c0);
    ferryCpu += (c.user + c.system) / 1000;
    simCpu += cpuMsOf(simPid) - s0;
    const views = inv.snapshot();
    const domains = views.reduce((n, v) => n + v.domains.length - 1, 0);
    if (views.some((v) => v.status !== "online") || domains !== hosts.length * DOMAINS)
      throw new Error(`incomplete picture: ${domains} domains`);
    if (i === 2 && profileAs && process.env.BENCH_PROFILE) {
      const { profile } = await profileThisProcess(async () => {
        for (let j = 0; j < 5; j++) await inv.refreshAll();
      });
      report(process.env.BENCH_PROFILE, profileAs, "Ferry's process, five warm refreshes", profile);
    }
    inv.stop();
  }
  return { cold: median(cold), warm: median(warm), ferryCpu: ferryCpu / warm.length, simCpu: simCpu / warm.length };
}

const sized = (n: number) =>
  startSimProcess(path.join(dir, String(n)), { SIM_HOSTS: String(n), SIM_DOMAINS: String(DOMAINS) });
const sim = await sized(HOSTS);
const { hosts } = sim;
const ferry = await measure(hosts, sim.pid, `inventory-${HOSTS}x${DOMAINS}`);
const sshArgs = (h: SimHostInfo) => [
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
  "xl list -l",
];
let t0 = performance.now();
for (const h of hosts) execFileSync("ssh", sshArgs(h), { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
const sequential = performance.now() - t0;
const list = path.join(dir, "targets");
fs.writeFileSync(list, `${hosts.map((h) => `${h.port} ${h.keyPath}`).join("\n")}\n`);
t0 = performance.now();
execFileSync(
  "sh",
  [
    "-c",
    `xargs -P 10 -L 1 sh -c 'ssh -i "$1" -p "$0" -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR -o BatchMode=yes root@127.0.0.1 "xl list -l" >/dev/null' < "${list}"`,
  ],
  { stdio: "inherit" },
);
const fanout = performance.now() - t0;
sim.stop();
// the same refresh at LARGE hosts (another simulated cluster; the OpenSSH loops are not run again)
let large: Awaited<ReturnType<typeof measure>> | null = null;
if (LARGE > HOSTS) {
  const big = await sized(LARGE);
  large = await measure(big.hosts, big.pid);
  big.stop();
}
hog?.kill();
fs.rmSync(dir, { recursive: true, force: true });
const row = (n: string, ms: number, extra = "") =>
  console.log(`  ${n.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms ${extra}`);
console.log(
  `Full inventory refresh, ${HOSTS} hosts × ${DOMAINS} domains${hog ? ", a CPU hog beside it" : ""}, load ${os.loadavg()[0].toFixed(2)} (Ferry: xl info + xl list in one script per host, in its long-lived shell;`,
);
console.log(
  `  xl list -l, xl uptime and the image directory's stat on the first refresh, when a domain appears, and every 12th refresh — one of the 15 warm ones here):`,
);
row("Ferry, cold (connect + read every host), median of 3", ferry.cold);
row("Ferry, warm (persistent connections), median of 15", ferry.warm);
const cpu = (m: { ferryCpu: number; simCpu: number }) =>
  `CPU per warm refresh (mean): Ferry ${m.ferryCpu.toFixed(0)} ms, the simulated hosts ${m.simCpu.toFixed(0)} ms`;
console.log(`    ${cpu(ferry)}`);
row(
  "(a) OpenSSH sequential, `ssh host xl list -l` per host",
  sequential,
  `→ Ferry warm is ${(sequential / ferry.warm).toFixed(1)}× faster (goal ≥ 100×)`,
);
row(
  "(b) OpenSSH fan-out, xargs -P 10, fresh connection each",
  fanout,
  `→ Ferry warm is ${(fanout / ferry.warm).toFixed(1)}× faster (goal ≥ 10×)`,
);
if (large) {
  row(`Ferry at ${LARGE} hosts × ${DOMAINS}, cold, median of 3`, large.cold);
  row(
    `Ferry at ${LARGE} hosts × ${DOMAINS}, warm, median of 15`,
    large.warm,
    `→ ${(large.warm / ferry.warm).toFixed(2)}× the ${HOSTS}-host warm refresh for ${(LARGE / HOSTS).toFixed(0)}× the hosts (goal ≤ 5×)`,
  );
  console.log(`    ${cpu(large)}: Ferry's ${(large.ferryCpu / ferry.ferryCpu).toFixed(2)}× its ${HOSTS}-host figure`);
}
process.exit(0);
