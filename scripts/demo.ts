// `npm run demo`: the simulated cluster (a separate process, sim/main.ts) and the dashboard together.
// The simulated hosts are registered with their host keys pinned, so the Cluster page fills at once.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { openDatabase, dataDir } from "../lib/db/client";
import { AuthService } from "../lib/auth/service";
import { roles } from "../lib/auth/roles";
import { startFerry } from "../server";
import type { SimHostInfo } from "../sim/cluster";

// FERRY_DEMO_SIM=off: no simulated cluster (the real-host lab suite adds its hosts through the UI)
const withSim = process.env.FERRY_DEMO_SIM !== "off";
const simDir = path.join(dataDir(), "sim");
const sim = withSim
  ? spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
      env: { ...process.env, FERRY_SIM_DIR: simDir },
      stdio: ["ignore", "pipe", "inherit"],
    })
  : null;
const stopSim = () => {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
};
process.on("exit", stopSim);

const ready = !sim
  ? { controlUrl: "(none)", hosts: [] as SimHostInfo[] }
  : await new Promise<{ controlUrl: string; hosts: SimHostInfo[] }>((resolve, reject) => {
      const lines = readline.createInterface({ input: sim.stdout });
      lines.on("line", (line) => {
        if (line.startsWith("SIM_READY ")) resolve(JSON.parse(line.slice("SIM_READY ".length)));
        else console.log(line);
      });
      sim.once("exit", (code) => reject(new Error(`the simulated cluster exited (code ${code}) before it was ready`)));
    });

const { db } = await openDatabase();
for (const h of ready.hosts) {
  const data = {
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: h.toolstack,
  };
  await db.host.upsert({ where: { name: h.name }, create: { name: h.name, ...data }, update: data });
}
// One user per role with a fresh password each start; never a default password.
const credentials: Record<string, { username: string; password: string }> = {};
const auth = new AuthService(db);
for (const role of roles) {
  const password = randomBytes(12).toString("base64url");
  await auth.upsertUser(role, role, password);
  credentials[role] = { username: role, password };
}
const credentialsFile = path.join(dataDir(), "demo-credentials.json");
fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
await db.$disconnect();

const ferry = await startFerry();
console.log("");
console.log(`Ferry demo: open ${ferry.url.replace("127.0.0.1", "localhost")}${describeHosts(ready.hosts)}`);
console.log(`Simulated cluster control (for tests): ${ready.controlUrl}`);
console.log(`Demo logins (new passwords each start, also in ${credentialsFile}):`);
for (const role of roles)
  console.log(
    `  ${role.padEnd(8)} user ${credentials[role].username.padEnd(8)}  password ${credentials[role].password}`,
  );

const shutdown = async () => {
  stopSim();
  await ferry.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

/** "— simulated Xen hosts (xl): hostA, hostB, hostC; KVM hosts (virsh): kvmA, kvmB; legacy Xen hosts (xm/xend): xmA, xmB" */
function describeHosts(hosts: SimHostInfo[]): string {
  const of = (t: SimHostInfo["toolstack"]) => hosts.filter((h) => h.toolstack === t).map((h) => h.name);
  const parts = [
    of("xl").length ? `Xen hosts (xl): ${of("xl").join(", ")}` : null,
    of("virsh").length ? `KVM hosts (virsh): ${of("virsh").join(", ")}` : null,
    of("xm").length ? `legacy Xen hosts (xm/xend): ${of("xm").join(", ")}` : null,
  ].filter(Boolean);
  return parts.length ? `  — simulated ${parts.join("; ")}` : "  — no simulated hosts (FERRY_DEMO_SIM=off)";
}
