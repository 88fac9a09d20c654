import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { startInstances, type Instances } from "../sim/scale/instances";
import { askHosts, type HostAccess } from "../sim/trials/truth";
import { SCALE } from "./env";

// Two Ferry instances (real server.ts processes) on one PostgreSQL database (a private cluster, scripts/pg-cluster.sh)
// and one simulated cluster. What a team running Ferry behind a load balancer relies on: a browser on either
// instance sees every job live; two drops of one domain on two instances start one job; an instance SIGKILLed
// mid-migration has its job adopted by the other, which ends it truthfully — checked by asking the hosts.

/** the lease the instances run with: a dead instance's jobs are adopted within it plus a beat */
const LEASE_MS = 3_000;
const METRICS_TOKEN = "scale-metrics-token-0123456789";
/** one sample's value from an instance's /metrics (Prometheus text) */
async function metric(url: string, series: string): Promise<number | null> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(series));
  return line ? Number(line.split(" ").at(-1)) : null;
}

let t: Instances;
let bearer: Record<string, string>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const pgUrl = execFileSync("bash", ["scripts/pg-cluster.sh", "start"], { encoding: "utf8" }).trim();
  t = await startInstances({
    pgUrl,
    count: 2,
    ...SCALE,
    env: { FERRY_LEASE_MS: String(LEASE_MS), FERRY_METRICS_TOKEN: METRICS_TOKEN },
  });
  bearer = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
});

test.afterAll(async () => {
  await t?.stop();
});

interface Host {
  id: string;
  name: string;
  status: string;
  domains: { id: number; name: string }[];
}
const hostsOn = async (url: string): Promise<Host[]> =>
  (await (await fetch(`${url}/api/hosts`, { headers: bearer })).json()).hosts;
const jobOn = async (url: string, id: string) =>
  (await (await fetch(`${url}/api/jobs/${id}`, { headers: bearer })).json()) as {
    job: { status: string; phase: string; locationHost: string | null; locationNote: string | null; bytesSent: number };
    events: { type: string; at: string; payload: Record<string, unknown> }[];
  };
const migrate = (url: string, domain: string, from: Host, to: Host) =>
  fetch(`${url}/api/jobs`, {
    method: "POST",
    headers: bearer,
    body: JSON.stringify({ kind: "migrate", domain, sourceId: from.id, targetId: to.id, confirmWarnings: true }),
  });
const access = (names: string[]): HostAccess[] =>
  t.sim.hosts.filter((h) => names.includes(h.name)).map((h) => ({ ...h, toolstack: h.toolstack }));
/** Where the hosts say the domain runs (their own list command over a session of the test's own). */
async function whereRuns(domain: string, names: string[]): Promise<string[]> {
  const seen = await askHosts(access(names));
  return [...seen].filter(([, s]) => !(s instanceof Error) && s.some((d) => d.name === domain)).map(([h]) => h);
}
/** Starts web-kvm's live migration through `url`, from whichever KVM host runs it to the other. */
async function migrateWebKvm(url: string) {
  const hosts = await hostsOn(url);
  const from = hosts.find((h) => h.domains.some((d) => d.name === "web-kvm"))!;
  const to = hosts.find((h) => (h.name === "kvmA" || h.name === "kvmB") && h.id !== from.id)!;
  const res = await migrate(url, "web-kvm", from, to);
  expect(res.status).toBe(200);
  return { id: (await res.json()).job.id as string, from };
}
async function waitFinal(url: string, id: string, ms: number) {
  const t0 = Date.now();
  for (;;) {
    const j = await jobOn(url, id);
    if (["succeeded", "failed", "cancelled", "interrupted"].includes(j.job.status)) return j;
    if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${j.job.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("both instances serve the same picture of the hosts", async () => {
  const names = (hs: Host[]) =>
    hs.map(
      (h) =>
        `${h.name}:${h.status}:${h.domains
          .map((d) => d.name)
          .sort()
          .join(",")}`,
    );
  // once each has heard from every host (a just-started instance shows its hosts "connecting" for a moment)
  const online = async (url: string) => (await hostsOn(url)).every((h) => h.status === "online");
  await expect.poll(async () => (await online(t.instances[0].url)) && (await online(t.instances[1].url))).toBe(true);
  const [a, b] = await Promise.all(t.instances.map((i) => hostsOn(i.url)));
  expect(names(a).length).toBe(t.sim.hosts.length);
  expect(names(a)).toEqual(names(b));
});

test("two drops of the same domain on two instances at once start exactly one job", async () => {
  const hosts = await hostsOn(t.instances[0].url);
  const hostB = hosts.find((h) => h.name === "hostB")!;
  const hostC = hosts.find((h) => h.name === "hostC")!;
  const answers = await Promise.all(t.instances.map((i) => migrate(i.url, "ubuntu_fuwa_nfs_domU", hostB, hostC)));
  const statuses = answers.map((r) => r.status).sort();
  expect(statuses).toEqual([200, 409]);
  const refused = await answers.find((r) => r.status === 409)!.json();
  const started = await answers.find((r) => r.status === 200)!.json();
  // the refusal names the winner's job in words, and gives its id to link to
  expect(refused.error.message).toMatch(
    /live migration of ubuntu_fuwa_nfs_domU \(hostB → hostC\) is still working on it/,
  );
  expect(refused.error.jobId).toBe(started.job.id);
  const end = await waitFinal(t.instances[1].url, started.job.id, 60_000);
  expect(end.job.status).toBe("succeeded");
  expect(await whereRuns("ubuntu_fuwa_nfs_domU", ["hostA", "hostB", "hostC"])).toEqual(["hostC"]);
});

test("a job started through instance 1 is watched live in a browser on instance 2", async ({ page }) => {
  const [one, two] = t.instances;
  await page.goto(`${two.url}/login`);
  await page.getByTestId("login-username").fill(t.admin.username);
  await page.getByTestId("login-password").fill(t.admin.password);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("whoami")).toHaveText("admin · admin");
  await expect(page.getByTestId("logout")).toHaveAttribute("data-ready", "1");
  const hosts = await hostsOn(one.url);
  const hostC = hosts.find((h) => h.name === "hostC")!;
  const hostB = hosts.find((h) => h.name === "hostB")!;
  const res = await migrate(one.url, "ubuntu_fuwa_nfs_domU", hostC, hostB);
  expect(res.status).toBe(200);
  const id = (await res.json()).job.id as string;
  // this job's card (not the earlier test's) appears on instance 2's page without a reload, and follows it to its end
  const card = page.locator(`[data-testid="job-card-ubuntu_fuwa_nfs_domU"][data-job-id="${id}"]`);
  await expect(card.getByTestId("job-phase")).toContainText(/Pre-copy|Stop and copy|Commitment|Activation|Done/);
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await card.getByTestId("job-link").click();
  await expect(page.getByTestId("phase-timeline").locator('[data-phase="done"]')).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("job-log")).toContainText("Domain started successsfully.");
  expect(await whereRuns("ubuntu_fuwa_nfs_domU", ["hostA", "hostB", "hostC"])).toEqual(["hostB"]);
});

test("a cancel asked of instance 2 stops the migration instance 1 runs; the domain stays on the source", async () => {
  const [one, two] = t.instances;
  const { id, from } = await migrateWebKvm(one.url);
  await expect.poll(async () => (await jobOn(two.url, id)).job.phase).toBe("precopy");
  const cancel = await fetch(`${two.url}/api/jobs/${id}/cancel`, { method: "POST", headers: bearer, body: "{}" });
  expect(cancel.status).toBe(200);
  const end = await waitFinal(two.url, id, 60_000);
  expect(end.job.status).toBe("cancelled");
  expect(await whereRuns("web-kvm", ["kvmA", "kvmB"])).toEqual([from.name]);
});

test("SIGKILL the instance running a migration mid-pre-copy: the other adopts it and ends it truthfully", async () => {
  test.setTimeout(180_000);
  const [one, two] = t.instances;
  const { id } = await migrateWebKvm(one.url);
  // mid-pre-copy: memory is moving, the guest still runs on the source
  for (;;) {
    const j = await jobOn(two.url, id);
    if (j.job.phase === "precopy" && j.job.bytesSent > 0) break;
    expect(["queued", "checking", "running"]).toContain(j.job.status);
    await new Promise((r) => setTimeout(r, 50));
  }
  const killedAt = Date.now();
  await t.kill(0);
  const end = await waitFinal(two.url, id, 150_000);
  const tookMs = Date.now() - killedAt;
  console.log(
    `failover: job ${end.job.status} ${(tookMs / 1000).toFixed(1)} s after the SIGKILL; ${end.job.locationNote}`,
  );
  // it ends truthfully: where it says the domain is, the hosts agree, and it runs on exactly one host
  const runs = await whereRuns("web-kvm", ["kvmA", "kvmB"]);
  expect(runs).toHaveLength(1);
  expect(end.job.locationHost).toBe(runs[0]);
  expect(["succeeded", "interrupted"]).toContain(end.job.status);
  // adopted within the stated time: the lease, a beat to notice, a beat to claim (closing it then takes as long as
  // the hosts need to answer)
  const adopted = end.events.find(
    (e) => e.type === "log" && /adopted by instance ferry-2/.test(String(e.payload.line)),
  );
  expect(adopted).toBeTruthy();
  const adoptedAfterMs = Date.parse(String((adopted as { at?: string }).at)) - killedAt;
  console.log(
    `failover: adopted ${(adoptedAfterMs / 1000).toFixed(1)} s after the SIGKILL (lease ${LEASE_MS / 1000} s)`,
  );
  expect(adoptedAfterMs).toBeLessThan(LEASE_MS + 3_000);
  // the survivor's metrics say it adopted a job, and that it leads now
  expect(await metric(two.url, 'ferry_cluster_adopted_total{what="job",instance="ferry-2"}')).toBeGreaterThanOrEqual(1);
  expect(await metric(two.url, 'ferry_cluster_leader{instance="ferry-2"}')).toBe(1);
  // instance 1 comes back as a new instance and follows; the picture is whole again on both
  await t.restart(0);
  expect(await metric(t.instances[0].url, 'ferry_cluster_leader{instance="ferry-1"}')).toBe(0);
  const [a, b] = await Promise.all(t.instances.map((i) => hostsOn(i.url)));
  expect(a.map((h) => h.name)).toEqual(b.map((h) => h.name));
});

test("an evacuation whose instance is SIGKILLed mid-move is adopted and finished by the other", async () => {
  test.setTimeout(180_000);
  const [one, two] = t.instances;
  const hosts = await hostsOn(one.url);
  const hostB = hosts.find((h) => h.name === "hostB")!;
  const guests = hostB.domains.filter((d) => d.id !== 0).map((d) => d.name);
  expect(guests.length).toBeGreaterThanOrEqual(2);
  const post = (url: string, path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: "POST", headers: bearer, body: JSON.stringify(body) });
  // one move at a time, so the SIGKILL lands with moves still to start
  const planned = await (await post(one.url, "/api/evacuations/plan", { hostId: hostB.id, cap: 1 })).json();
  const expectMoves = planned.plan.moves.map((m: { domain: string; target: string }) => ({
    domain: m.domain,
    target: m.target,
  }));
  expect(expectMoves.length).toBe(guests.length);
  const started = await post(one.url, "/api/evacuations", { hostId: hostB.id, cap: 1, expect: expectMoves });
  expect(started.status).toBe(200);
  const id = (await started.json()).evacuation.id as string;
  const evac = async () =>
    (await (await fetch(`${two.url}/api/evacuations?hostId=${hostB.id}`, { headers: bearer })).json()).evacuations.find(
      (e: { id: string }) => e.id === id,
    ) as { status: string; moves: { domain: string; state: string; jobId: string | null; target: string }[] };
  // the first move is migrating
  for (;;) {
    const e = await evac();
    const running = e.moves.find((m) => m.state === "running" && m.jobId);
    if (running) {
      const j = await jobOn(two.url, running.jobId!);
      if (j.job.phase === "precopy" && j.job.bytesSent > 0) break;
    }
    expect(e.status).toBe("running");
    await new Promise((r) => setTimeout(r, 50));
  }
  await t.kill(0);
  let end: Awaited<ReturnType<typeof evac>>;
  for (const t0 = Date.now(); ; ) {
    end = await evac();
    if (!["running", "stopping"].includes(end.status)) break;
    expect(Date.now() - t0).toBeLessThan(150_000);
    await new Promise((r) => setTimeout(r, 250));
  }
  // every move was decided (none left pending), and each guest runs on exactly one host — where its move says
  expect(end.moves.filter((m) => m.state === "pending" || m.state === "running")).toEqual([]);
  for (const m of end.moves) {
    const runs = await whereRuns(m.domain, ["hostA", "hostB", "hostC"]);
    expect(runs).toHaveLength(1);
    if (m.state === "succeeded") expect(runs).toEqual([m.target]);
  }
  // the moves not yet started when instance 1 died were started by instance 2, and succeeded
  expect(end.moves.filter((m) => m.state === "succeeded").length).toBeGreaterThanOrEqual(guests.length - 1);
  expect(end.status).toMatch(/finished|incomplete/);
  await t.restart(0);
});
