// `npm run bench:flood` (RATE=500 SECONDS=10 RUNS=3): is Ferry still there for its users while someone floods it?
// The demo server (simulated cluster included) in its own process; this process is the attacker and the user.
// Per run, three phases of SECONDS each, while a signed-in user asks GET /api/auth/session every 100 ms:
//   quiet  — no flood: the baseline, measured in the same run;
//   one    — RATE req/s from one address (the proxy's own: what a flood looks like without a trusted proxy): half wrong logins for "admin", half POST /api/jobs with a bad body from a
//            signed-in operator (session lookup, CSRF, validation: a mutating route's real work);
//   spread — the same through a trusted proxy (FERRY_TRUSTED_PROXY=127.0.0.1) naming a fresh client address and a
//            fresh user name in X-Forwarded-For each time: no address or account limit applies, so every login
//            reaches the password hashing — the worst case for the bounded argon2 queue.
// Reported per phase: the user's session-request latency p50/p99/max and its ratio to quiet's, the flood's answers
// by status and the rate actually sent, the server's peak RSS; and the machine's load average beside each run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import http from "node:http";
import { percentile } from "../lib/jobs/history";

const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RUNS = Number(process.env.RUNS ?? 3);
const PORT = Number(process.env.PORT ?? 3390);
const base = `http://127.0.0.1:${PORT}`;

async function startServer(dir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      FERRY_DATA_DIR: dir,
      SIM_BASE_PORT: "2611",
      SIM_CONTROL_PORT: "2699",
      FERRY_TRUSTED_PROXY: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on("line", (l) => {
      if (l.startsWith("Ferry demo: open")) resolve();
    });
    child.once("exit", (c) => reject(new Error(`the server exited (${c})`)));
  });
  for (;;) {
    try {
      if ((await fetch(`${base}/api/auth/session`)).status === 401) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return child;
}

function rssMiB(pid: number): number {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function signIn(dir: string, role: "viewer" | "operator") {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, "demo-credentials.json"), "utf8"))[role];
  const res = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `10.200.0.${role === "viewer" ? 1 : 2}` },
    body: JSON.stringify(creds),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${role}: ${res.status}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrfToken } = await (await fetch(`${base}/api/auth/session`, { headers: { cookie } })).json();
  return { cookie, csrfToken: csrfToken as string };
}

type Phase = "quiet" | "one" | "spread";

/** One request; resolves with its status once the answer has been read whole. */
function send(agent: http.Agent, method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(`${base}${url}`, { method, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function phase(
  kind: Phase,
  pid: number,
  user: { cookie: string },
  operator: { cookie: string; csrfToken: string },
) {
  const flood = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const own = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let sent = 0;
  let rss = rssMiB(pid);
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const inflight: Promise<void>[] = [];
  const fire = () => {
    n++;
    const i = n;
    const login = i % 2 === 0;
    const headers: Record<string, string> = { "content-type": "application/json", origin: base };
    if (kind === "spread") headers["x-forwarded-for"] = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const body = login
      ? JSON.stringify({ username: kind === "spread" ? `nobody-${i}` : "admin", password: `guess-${i}` })
      : JSON.stringify({ kind: "migrate", domain: 42 });
    if (!login) Object.assign(headers, { cookie: operator.cookie, "x-csrf-token": operator.csrfToken });
    sent++;
    inflight.push(
      send(flood, "POST", login ? "/api/auth/login" : "/api/jobs", headers, body)
        .then((status) => {
          const k = `${login ? "login" : "jobs"} ${status}`;
          statuses.set(k, (statuses.get(k) ?? 0) + 1);
        })
        .catch((e: Error) => {
          const k = `${login ? "login" : "jobs"} ${e.name}`;
          statuses.set(k, (statuses.get(k) ?? 0) + 1);
        }),
    );
  };
  // the flood: open loop, RATE per second in 10 ms ticks, whether or not the server keeps up
  const started = performance.now();
  const ticker =
    kind === "quiet"
      ? null
      : setInterval(() => {
          const due = Math.floor(((performance.now() - started) / 1000) * RATE);
          while (n < due) fire();
        }, 10);
  const sampler = setInterval(() => {
    rss = Math.max(rss, rssMiB(pid));
  }, 100);
  // the user: a session request every 100 ms, each waited for (a person does not pile requests up)
  while (performance.now() < end) {
    const t = performance.now();
    // the user comes through the same proxy as everyone, from an address of their own
    const status = await send(own, "GET", "/api/auth/session", {
      cookie: user.cookie,
      "x-forwarded-for": "10.200.0.1",
    });
    if (status !== 200) throw new Error(`the user's session request got ${status}`);
    latencies.push(performance.now() - t);
    const rest = 100 - (performance.now() - t);
    if (rest > 0) await new Promise((res) => setTimeout(res, rest));
  }
  if (ticker) clearInterval(ticker);
  const achieved = sent / ((performance.now() - started) / 1000);
  await Promise.all(inflight);
  clearInterval(sampler);
  flood.destroy();
  own.destroy();
  latencies.sort((a, b) => a - b);
  return {
    kind,
    p50: percentile(latencies, 50) ?? 0,
    p99: percentile(latencies, 99) ?? 0,
    max: latencies.at(-1) ?? 0,
    samples: latencies.length,
    rss,
    achieved,
    statuses: [...statuses]
      .sort()
      .map(([k, v]) => `${k}×${v}`)
      .join(", "),
  };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
console.log(
  `flood: ${RATE} req/s for ${SECONDS} s per phase, ${RUNS} runs, ${os.cpus().length} cores; server = demo (Ferry + simulated cluster, one process)`,
);
for (let run = 1; run <= RUNS; run++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-flood-"));
  const server = await startServer(dir);
  try {
    const user = await signIn(dir, "viewer");
    const operator = await signIn(dir, "operator");
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
    console.log(`run ${run} (load average before: ${load})`);
    let quiet = 0;
    for (const kind of ["quiet", "one", "spread"] as const) {
      const r = await phase(kind, server.pid!, user, operator);
      if (kind === "quiet") quiet = r.p99;
      console.log(
        `  ${kind.padEnd(6)} user's session request p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (×${(r.p99 / quiet).toFixed(1)} quiet), max ${fmt(r.max)} ms over ${r.samples}; server RSS peak ${r.rss.toFixed(0)} MiB${kind === "quiet" ? "" : `; sent ${r.achieved.toFixed(0)} req/s: ${r.statuses}`}`,
      );
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(0);
