// `npm run sim`: the simulated cluster alone. Prints one plain `ssh` line per host, then a JSON
// line (`SIM_READY {...}`) that the demo and the e2e tests read.
import path from "node:path";
import { createBigWorld, createDemoWorld, createEvacuationWorld } from "./default-world";
import { SimCluster, writeClusterFile } from "./cluster";
import { createDiskWorld } from "./disk-world";
import { createBalanceWorld } from "./balance-world";
import { startControlServer } from "./control";

const stateDir = path.resolve(process.env.FERRY_SIM_DIR ?? "state/sim");
const basePort = Number(process.env.SIM_BASE_PORT ?? 2201);
const controlPort = Number(process.env.SIM_CONTROL_PORT ?? 2299);

// SIM_HOSTS / SIM_DOMAINS: a large cluster for benches instead of the guide's three hosts
const bigHosts = Number(process.env.SIM_HOSTS ?? 0);
const world = bigHosts
  ? createBigWorld(bigHosts, Number(process.env.SIM_DOMAINS ?? 20))
  : process.env.SIM_WORLD === "evacuate"
    ? createEvacuationWorld()
    : process.env.SIM_WORLD === "disks"
      ? createDiskWorld()
      : process.env.SIM_WORLD === "balance"
        ? createBalanceWorld()
        : createDemoWorld();
const cluster = new SimCluster({ world, stateDir, basePort });
await cluster.start();
const control = await startControlServer(cluster, controlPort);
const hosts = cluster.describe();
writeClusterFile(path.join(stateDir, "cluster.json"), hosts, control.url);

console.log(
  bigHosts
    ? `Simulated cluster: ${hosts.length} hosts`
    : "Simulated cluster (the guide's Xen hosts, KVM and legacy xm beside them) — reach each host with plain OpenSSH:",
);
for (const h of hosts.slice(0, 10)) console.log(`  ${SimCluster.sshLine(h)}`);
console.log(`  control: ${control.url} (tests stop/start hosts here)`);
console.log(`SIM_READY ${JSON.stringify({ controlUrl: control.url, hosts })}`);

const shutdown = async () => {
  await cluster.stop();
  await control.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
