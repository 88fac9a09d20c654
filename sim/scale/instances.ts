// Several Ferry instances on one PostgreSQL database, with a simulated cluster: what the scale-out tests and
// `npm run bench:stream -- --instances 2` run. Each instance is a real server.ts process (production build), so a
// SIGKILL is a real crash; the hosts are the simulated cluster's (sim/main.ts, its own process).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { openDatabase } from "../../lib/db/client";
import { scratchPgDatabase } from "../../lib/db/schema-engine";
import { AuthService } from "../../lib/auth/service";
import { ApiTokens } from "../../lib/auth/tokens";
import { hostFieldsOf, type SimHostInfo } from "../cluster";

export interface InstancesOptions {
  /** the PostgreSQL server (a scratch database is made on it and dropped at stop) */
  pgUrl: string;
  count: number;
  /** first instance's port; the others follow */
  port: number;
  simBasePort: number;
  simControlPort: number;
  dir: string;
  /** extra environment for every instance */
  env?: Record<string, string>;
  /** SIM_HOSTS / SIM_DOMAINS for a bigger simulated cluster */
  simEnv?: Record<string, string>;
}

export interface Instance {
  name: string;
  url: string;
  process: ChildProcess;
}

export interface Instances {
  instances: Instance[];
  sim: { controlUrl: string; hosts: SimHostInfo[] };
  /** an admin's API token (Authorization: Bearer …) and login */
  token: string;
  admin: { username: string; password: string };
  databaseUrl: string;
  /** SIGKILLs instance i; resolves when the process is gone */
  kill(i: number): Promise<void>;
  /** starts instance i again (a new process, a new instance id) */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

const waitReady = async (url: string, child: ChildProcess, ms = 90_000) => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (child.exitCode !== null) throw new Error(`instance at ${url} exited (code ${child.exitCode})`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`instance at ${url} not ready in ${ms} ms`);
};

export async function startInstances(o: InstancesOptions): Promise<Instances> {
  fs.rmSync(o.dir, { recursive: true, force: true });
  fs.mkdirSync(o.dir, { recursive: true });
  const scratch = await scratchPgDatabase(o.pgUrl, "ferry_scale");
  const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
    env: {
      ...process.env,
      FERRY_SIM_DIR: path.join(o.dir, "sim"),
      SIM_BASE_PORT: String(o.simBasePort),
      SIM_CONTROL_PORT: String(o.simControlPort),
      ...o.simEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const simReady = await new Promise<{ controlUrl: string; hosts: SimHostInfo[] }>((resolve, reject) => {
    const lines = readline.createInterface({ input: sim.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("SIM_READY ")) resolve(JSON.parse(line.slice("SIM_READY ".length)));
    });
    sim.once("exit", (code) => reject(new Error(`the simulated cluster exited (code ${code})`)));
  });

  // the hosts, an admin and an API token, written before any instance starts
  const { db } = await openDatabase(scratch.url);
  for (const h of simReady.hosts) await db.host.create({ data: hostFieldsOf(h) });
  const admin = { username: "admin", password: "scale-out-admin-password" };
  const user = await new AuthService(db).upsertUser(admin.username, "admin", admin.password);
  const { token } = await new ApiTokens(db).create({ userId: user.id, name: "scale-tests", role: "admin" }, "setup");
  await db.$disconnect();

  const instances: Instance[] = [];
  const launch = async (i: number) => {
    const name = `ferry-${i + 1}`;
    const port = o.port + i;
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        DATABASE_URL: scratch.url,
        FERRY_DATA_DIR: path.join(o.dir, name),
        // every instance's own log file too: its stdout is not read, and the e2e teardown looks for error lines here
        FERRY_LOG_FILE: path.join(o.dir, name, "server.log"),
        FERRY_INSTANCE: name,
        FERRY_REFRESH_MS: "1000",
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        ...o.env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const inst = { name, url: `http://127.0.0.1:${port}`, process: child };
    instances[i] = inst;
    await waitReady(inst.url, child);
  };
  const kill = async (i: number) => {
    const c = instances[i]?.process;
    if (!c || c.exitCode !== null || c.signalCode) return;
    const gone = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill("SIGKILL");
    await gone;
  };
  const stop = async () => {
    await Promise.all(instances.map((_, i) => kill(i)));
    if (sim.exitCode === null && !sim.signalCode) {
      const gone = new Promise<void>((r) => sim.once("exit", () => r()));
      sim.kill("SIGTERM");
      await gone;
    }
    await scratch.drop();
  };
  // one after the other: the first applies nothing new, but each Next server warms its build on its own. One that
  // does not start takes the others and the simulated cluster down with it: nothing is left holding the ports (an
  // orphaned cluster from one failed run broke the next run's start with EADDRINUSE)
  try {
    for (let i = 0; i < o.count; i++) await launch(i);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return {
    instances,
    sim: simReady,
    token,
    admin,
    databaseUrl: scratch.url,
    kill,
    restart: async (i) => {
      await kill(i);
      await launch(i);
    },
    stop,
  };
}
