import { spawn, type ChildProcess } from "node:child_process";
import { expect, test, request as playwrightRequest } from "@playwright/test";
import { credentials } from "./auth";
import { E2E } from "./env";

// A second Ferry process on the e2e database and simulated cluster: start a migration through it,
// kill it mid-pre-copy (SIGKILL: no cleanup), start it again, and find the job closed truthfully.

const PORT = 3101;
const URL_B = `http://127.0.0.1:${PORT}`;

function startFerry(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      FERRY_DATA_DIR: E2E.dataDir,
      FERRY_REFRESH_MS: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("Ferry is listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`Ferry exited early (${code})`)));
  });
}

async function signedIn() {
  const ctx = await playwrightRequest.newContext({ baseURL: URL_B });
  expect((await ctx.post("/api/auth/login", { data: credentials("operator") })).status()).toBe(200);
  const { csrfToken } = await (await ctx.get("/api/auth/session")).json();
  return { ctx, csrf: { "x-csrf-token": csrfToken } };
}

test("restart the server mid-job: the job is closed from where the domain really is", async () => {
  test.setTimeout(120_000);
  await fetch(`${E2E.simControl}/time-scale?value=0.5`, { method: "POST" }); // a 512 MiB pre-copy now takes ~9 s
  let ferry = await startFerry();
  try {
    const { ctx, csrf } = await signedIn();
    const hosts = (await (await ctx.get("/api/hosts")).json()).hosts as {
      id: string;
      name: string;
      domains: { name: string }[];
    }[];
    const from = hosts.find((h) => h.domains.some((d) => d.name === "debian_etch_domU"))!;
    const to = hosts.find((h) => h.name !== from.name && h.name !== "hostA")!;
    const res = await ctx.post("/api/jobs", {
      data: { kind: "migrate", domain: "debian_etch_domU", sourceId: from.id, targetId: to.id },
      headers: csrf,
    });
    expect(res.status()).toBe(200);
    const jobId = (await res.json()).job.id as string;
    await expect
      .poll(async () => (await (await ctx.get(`/api/jobs/${jobId}`)).json()).job.phase, { timeout: 20_000 })
      .toBe("precopy");
    await ctx.dispose();

    ferry.kill("SIGKILL");
    await new Promise((r) => ferry.once("exit", r));
    ferry = await startFerry();

    const again = await signedIn();
    await expect
      .poll(async () => (await (await again.ctx.get(`/api/jobs/${jobId}`)).json()).job.status, { timeout: 60_000 })
      .toMatch(/^(succeeded|interrupted)$/);
    const job = (await (await again.ctx.get(`/api/jobs/${jobId}`)).json()).job;
    const where = (await (await fetch(`${E2E.simControl}/domains/debian_etch_domU`)).json()).hosts as string[];
    expect(where).toHaveLength(1);
    if (job.status === "succeeded") expect(job.locationHost).toBe(to.name);
    expect(job.locationNote).toContain(where[0]);
    await again.ctx.dispose();
  } finally {
    ferry.kill("SIGTERM");
    await fetch(`${E2E.simControl}/time-scale?value=1`, { method: "POST" });
  }
});
