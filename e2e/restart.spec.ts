import { spawn, type ChildProcess } from "node:child_process";
import { expect, test, request as playwrightRequest } from "@playwright/test";
import { io } from "socket.io-client";
import { credentials } from "./auth";
import { E2E } from "./env";

// A second Ferry process on the e2e database and simulated cluster: start a migration through it, stop it
// mid-pre-copy — killed (SIGKILL: no cleanup), or told to stop (SIGTERM: an ordered stop) — start it again, and find
// the job closed truthfully and, after an ordered stop, every event a browser was sent stored.

const PORT = 3101;
const URL_B = `http://127.0.0.1:${PORT}`;

function spawnFerry(port: number): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      FERRY_DATA_DIR: E2E.dataDir,
      // its own log beside the stack's server's: the e2e teardown reads every server log in the data directory
      FERRY_LOG_FILE: `${E2E.dataDir}/server-b.log`,
      FERRY_REFRESH_MS: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function startFerry(): Promise<ChildProcess> {
  const child = spawnFerry(PORT);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("Ferry is listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`Ferry exited early (${code}): ${stderr}`)));
  });
}

/** An ordered stop, waited for: the next test starts its Ferry B on the same port. */
async function stopFerry(ferry: ChildProcess) {
  if (ferry.exitCode !== null || ferry.signalCode !== null) return;
  const exited = new Promise((r) => ferry.once("exit", r));
  ferry.kill("SIGTERM");
  await exited;
}

async function signedIn() {
  const ctx = await playwrightRequest.newContext({ baseURL: URL_B });
  expect((await ctx.post("/api/auth/login", { data: credentials("operator") })).status()).toBe(200);
  const { csrfToken } = await (await ctx.get("/api/auth/session")).json();
  return { ctx, csrf: { "x-csrf-token": csrfToken } };
}

/** Starts migrating debian_etch_domU away from its host through Ferry B; the job's id and where it goes. */
async function startMigration(ctx: Awaited<ReturnType<typeof signedIn>>) {
  const hosts = (await (await ctx.ctx.get("/api/hosts")).json()).hosts as {
    id: string;
    name: string;
    domains: { name: string }[];
  }[];
  const from = hosts.find((h) => h.domains.some((d) => d.name === "debian_etch_domU"))!;
  const to = hosts.find((h) => h.name !== from.name && h.name !== "hostA")!;
  const res = await ctx.ctx.post("/api/jobs", {
    // a forecast learned from an earlier test's migration may warn: the operator has read it
    data: { kind: "migrate", domain: "debian_etch_domU", sourceId: from.id, targetId: to.id, confirmWarnings: true },
    headers: ctx.csrf,
  });
  expect(res.status()).toBe(200);
  return { jobId: (await res.json()).job.id as string, to };
}

/** Starts Ferry B again and waits for it to close the job the stopped one left running. */
async function closedAfterRestart(jobId: string) {
  const ferry = await startFerry();
  const again = await signedIn();
  await expect
    .poll(async () => (await (await again.ctx.get(`/api/jobs/${jobId}`)).json()).job.status, { timeout: 60_000 })
    .toMatch(/^(succeeded|interrupted)$/);
  const job = (await (await again.ctx.get(`/api/jobs/${jobId}`)).json()).job;
  const events = (await (await again.ctx.get(`/api/jobs/${jobId}`)).json()).events as { seq: number }[];
  await again.ctx.dispose();
  return { ferry, job, events };
}

test("restart the server mid-job: the job is closed from where the domain really is", async () => {
  test.setTimeout(120_000);
  await fetch(`${E2E.simControl}/time-scale?value=0.5`, { method: "POST" }); // a 512 MiB pre-copy now takes ~9 s
  let ferry = await startFerry();
  try {
    const signed = await signedIn();
    const { ctx } = signed;
    const { jobId, to } = await startMigration(signed);
    await expect
      .poll(async () => (await (await ctx.get(`/api/jobs/${jobId}`)).json()).job.phase, { timeout: 20_000 })
      .toBe("precopy");
    await ctx.dispose();

    ferry.kill("SIGKILL");
    await new Promise((r) => ferry.once("exit", r));
    const restarted = await closedAfterRestart(jobId);
    ferry = restarted.ferry;
    const job = restarted.job;
    const where = (await (await fetch(`${E2E.simControl}/domains/debian_etch_domU`)).json()).hosts as string[];
    expect(where).toHaveLength(1);
    if (job.status === "succeeded") expect(job.locationHost).toBe(to.name);
    expect(job.locationNote).toContain(where[0]);
  } finally {
    await stopFerry(ferry);
    await fetch(`${E2E.simControl}/time-scale?value=1`, { method: "POST" });
  }
});

test("SIGTERM mid-job: the ordered stop stores every event a browser was sent before it", async () => {
  test.setTimeout(120_000);
  await fetch(`${E2E.simControl}/time-scale?value=0.5`, { method: "POST" });
  let ferry = await startFerry();
  try {
    const signed = await signedIn();
    const cookie = (await signed.ctx.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const { jobId } = await startMigration(signed);
    await signed.ctx.dispose();
    // a browser on the job's page: the events it is sent, counted
    const sock = io(URL_B, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
    const seen = new Set<number>();
    let stopped = false;
    const exited = new Promise<number | null>((r) => ferry.once("exit", (code) => r(code)));
    sock.on("job:event", (e: { jobId: string; seq: number; phase: string }) => {
      if (e.jobId !== jobId) return;
      seen.add(e.seq);
      // the stop comes the moment a pre-copy event arrives: its batch is then still waiting to be written
      if (!stopped && e.phase === "precopy" && seen.size > 3) {
        stopped = true;
        ferry.kill("SIGTERM");
      }
    });
    const reply = await sock.timeout(10_000).emitWithAck("job:subscribe", { jobId, afterSeq: 0 });
    expect(reply.ok).toBe(true);
    for (const e of reply.value.events as { seq: number }[]) seen.add(e.seq);
    // bounded: a job that never reaches pre-copy while watched fails here, saying so, rather than at the timeout
    await expect.poll(() => stopped, { timeout: 30_000, message: "a pre-copy event reached the browser" }).toBe(true);
    expect(await exited).toBe(0); // the ordered stop ended by itself
    sock.close();

    const restarted = await closedAfterRestart(jobId);
    ferry = restarted.ferry;
    const stored = new Set(restarted.events.map((e) => e.seq));
    const missing = [...seen].filter((seq) => !stored.has(seq));
    expect(seen.size).toBeGreaterThan(3);
    expect(missing).toEqual([]);
    // and the domain is in one place, as the job says
    const where = (await (await fetch(`${E2E.simControl}/domains/debian_etch_domU`)).json()).hosts as string[];
    expect(where).toHaveLength(1);
    expect(restarted.job.locationNote).toContain(where[0]);
  } finally {
    await stopFerry(ferry);
    await fetch(`${E2E.simControl}/time-scale?value=1`, { method: "POST" });
  }
});

test("a second Ferry on a port already in use says so and exits, before it touches any job", async () => {
  const child = spawnFerry(E2E.port); // the suite's own Ferry listens there
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  expect(code).toBe(1);
  expect(stderr).toContain(
    `Ferry could not start: Ferry cannot listen on 127.0.0.1:${E2E.port}: the port is already in use`,
  );
  expect(stderr).not.toMatch(/uncaughtException|\n\s+at /);
});
