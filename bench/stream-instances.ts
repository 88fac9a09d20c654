// `INSTANCES=2 npm run bench:stream`: the stream bench across several Ferry instances on PostgreSQL. Each run
// measures, in the same run, a baseline of ONE instance on PostgreSQL and then TWO instances behind no proxy:
// K migrations submitted alternately through each instance's API, C socket.io clients spread over the instances,
// every client subscribed to every job. Reported: event latency server → client (p50/p99, the ratio to the
// baseline), events lost (for every client × job, the seqs received live or in the subscription's catch-up must
// cover 1..last; goal 0), and then the failover: F more migrations on instance 1, SIGKILLed mid-pre-copy, the
// time until instance 2 has adopted every one of them, and where each ended (asked of the hosts' own lists).
import { execFileSync } from "node:child_process";
import os from "node:os";
import { io as connect, type Socket } from "socket.io-client";
import { percentile } from "../lib/jobs/history";
import { gapFiller } from "../lib/jobs/gap-fill";
import type { JobEvent } from "../lib/jobs/types";
import { startInstances, type Instances } from "../sim/scale/instances";
import { askHosts } from "../sim/trials/truth";

const K = Number(process.env.K ?? 50);
const C = Number(process.env.C ?? 20);
const F = Number(process.env.F ?? 10);
const N = Number(process.env.INSTANCES ?? 2);
const LEASE_MS = Number(process.env.FERRY_LEASE_MS ?? 3_000);
const HOSTS = K + 2;
const pgUrl =
  process.env.FERRY_PG_URL ?? execFileSync("bash", ["scripts/pg-cluster.sh", "start"], { encoding: "utf8" }).trim();

interface Ev {
  jobId: string;
  seq: number;
  at: string;
  type: string;
  payload: { line?: string };
}

/** the last seq of the unbroken run from 1 */
function contiguous(seqs: Set<number>): number {
  let n = 0;
  while (seqs.has(n + 1)) n++;
  return n;
}

async function login(url: string, t: Instances): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(t.admin),
  });
  if (!r.ok) throw new Error(`login: ${r.status} ${await r.text()}`);
  return (r.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
}

async function run(count: number, failover: boolean) {
  const t = await startInstances({
    pgUrl,
    count,
    port: 3810,
    simBasePort: 2811,
    simControlPort: 2999,
    dir: "/tmp/ferry-bench-instances",
    env: { FERRY_LEASE_MS: String(LEASE_MS), LOG_LEVEL: "error" },
    simEnv: { SIM_HOSTS: String(HOSTS), SIM_DOMAINS: "1" },
  });
  const bearer = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
  try {
    type Host = { id: string; name: string; status: string; domains: { id: number; name: string }[] };
    // every host refreshed, on every instance, before the clock starts
    let hosts: Host[] = [];
    for (;;) {
      const views = await Promise.all(
        t.instances.map(
          async (i) => (await (await fetch(`${i.url}/api/hosts`, { headers: bearer })).json()).hosts as Host[],
        ),
      );
      hosts = views[0];
      if (
        views.every(
          (v) => v.length === HOSTS && v.every((h) => h.status === "online" && h.domains.some((d) => d.id !== 0)),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    hosts.sort((a, b) => a.name.localeCompare(b.name));
    // C clients, spread over the instances
    const latencies: number[] = [];
    const seen = new Map<string, Set<number>>(); // client#job → seqs
    const clients: Socket[] = [];
    for (let c = 0; c < C; c++) {
      const url = t.instances[c % count].url;
      const s = connect(url, {
        transports: ["websocket"],
        extraHeaders: { cookie: await login(url, t), origin: url },
        reconnection: false,
      });
      await new Promise<void>((r, j) => {
        s.on("connect", () => r());
        s.on("connect_error", (e) => j(e));
      });
      // what the job page does (components/jobs/use-job.ts): a seq that skips ahead asks for the missing ones
      const fillers = new Map<string, (e: JobEvent) => void>();
      const got = (jobId: string) => {
        const key = `${c}#${jobId}`;
        if (!seen.has(key)) seen.set(key, new Set());
        return seen.get(key)!;
      };
      const filler = (jobId: string) => {
        if (!fillers.has(jobId))
          fillers.set(
            jobId,
            gapFiller({
              lastSeq: () => contiguous(got(jobId)),
              apply: (es) => {
                for (const e of es) got(jobId).add(e.seq);
              },
              catchUp: (afterSeq) =>
                new Promise((r) =>
                  s.emit("job:subscribe", { jobId, afterSeq }, (a: { ok: boolean; value?: { events: JobEvent[] } }) =>
                    r(a.value?.events ?? []),
                  ),
                ),
            }),
          );
        return fillers.get(jobId)!;
      };
      s.on("job:event", (e: Ev) => {
        latencies.push(Date.now() - Date.parse(e.at));
        filler(e.jobId)(e as unknown as JobEvent);
      });
      clients.push(s);
    }
    const subscribe = (jobId: string) =>
      Promise.all(
        clients.map(
          (s, c) =>
            new Promise<void>((r) =>
              s.emit("job:subscribe", { jobId, afterSeq: 0 }, (a: { ok: boolean; value?: { events: Ev[] } }) => {
                const key = `${c}#${jobId}`;
                if (!seen.has(key)) seen.set(key, new Set());
                for (const e of a.value?.events ?? []) seen.get(key)!.add(e.seq);
                r();
              }),
            ),
        ),
      );
    const submit = async (i: number, via: number) => {
      const src = hosts[i];
      const dst = hosts[i + 1];
      const r = await fetch(`${t.instances[via].url}/api/jobs`, {
        method: "POST",
        headers: bearer,
        body: JSON.stringify({
          kind: "migrate",
          domain: src.domains.find((d) => d.id !== 0)!.name,
          sourceId: src.id,
          targetId: dst.id,
          confirmWarnings: true,
        }),
      });
      if (!r.ok) throw new Error(`submit: ${r.status} ${await r.text()}`);
      return (await r.json()).job.id as string;
    };
    const job = async (id: string) =>
      (await (await fetch(`${t.instances.at(-1)!.url}/api/jobs/${id}`, { headers: bearer })).json()) as {
        job: { status: string; phase: string; bytesSent: number; locationHost: string | null };
        events: Ev[];
      };
    const waitFinal = async (ids: string[]) => {
      for (;;) {
        const all = await Promise.all(ids.map(job));
        if (all.every((j) => ["succeeded", "failed", "cancelled", "interrupted"].includes(j.job.status))) return all;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const load0 = os.loadavg()[0];
    const t0 = performance.now();
    const ids: string[] = [];
    for (let k = 0; k < K; k++) {
      const id = await submit(k, k % count);
      ids.push(id);
      void subscribe(id);
    }
    const ended = await waitFinal(ids);
    await new Promise((r) => setTimeout(r, 500));
    const wall = performance.now() - t0;
    let lost = 0;
    for (const [i, id] of ids.entries()) {
      const last = Math.max(...ended[i].events.map((e) => e.seq));
      for (let c = 0; c < C; c++) {
        const got = seen.get(`${c}#${id}`) ?? new Set();
        for (let q = 1; q <= last; q++) if (!got.has(q)) lost++;
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      instances: count,
      ok: ended.filter((j) => j.job.status === "succeeded").length,
      wallS: wall / 1000,
      n: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      lost,
      load: [load0, os.loadavg()[0]],
      adoptS: null as number | null,
      adoptedOf: 0,
      whereOk: 0,
    };
    if (failover && count > 1) {
      // F more migrations through instance 1 (the hosts' domains went one host along: move them back)
      const back: string[] = [];
      for (let i = 0; i < F; i++) {
        const src = hosts[i + 1];
        const dst = hosts[i];
        const domain = hosts[i].domains.find((d) => d.id !== 0)!.name;
        const r = await fetch(`${t.instances[0].url}/api/jobs`, {
          method: "POST",
          headers: bearer,
          body: JSON.stringify({ kind: "migrate", domain, sourceId: src.id, targetId: dst.id, confirmWarnings: true }),
        });
        if (r.ok) back.push((await r.json()).job.id);
        else throw new Error(`failover submit: ${r.status} ${await r.text()}`);
      }
      for (;;) {
        const js = await Promise.all(back.map(job));
        if (js.some((j) => j.job.phase === "precopy" && j.job.bytesSent > 0)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const killedAt = Date.now();
      await t.kill(0);
      const done = await waitFinal(back);
      const adopted = done
        .filter((j) => !["succeeded", "failed"].includes(j.job.status) || true)
        .map((j) => j.events.find((e) => e.type === "log" && /adopted by instance/.test(e.payload.line ?? "")))
        .filter((e): e is Ev => Boolean(e));
      result.adoptedOf = adopted.length;
      result.adoptS = adopted.length ? Math.max(...adopted.map((e) => Date.parse(e.at) - killedAt)) / 1000 : null;
      // where each ended, as the hosts say
      const seenHosts = await askHosts(t.sim.hosts.slice(0, F + 1).map((h) => ({ ...h, toolstack: h.toolstack })));
      for (const [i, j] of done.entries()) {
        const domain = hosts[i].domains.find((d) => d.id !== 0)!.name;
        const runs = [...seenHosts].filter(([, s]) => !(s instanceof Error) && s.some((d) => d.name === domain));
        if (runs.length === 1 && runs[0][0] === j.job.locationHost) result.whereOk++;
      }
    }
    for (const s of clients) s.close();
    return result;
  } finally {
    await t.stop();
  }
}

const runs = Number(process.env.RUNS ?? 1);
for (let r = 0; r < runs; r++) {
  const base = await run(1, false);
  const multi = await run(N, true);
  const fmt = (x: typeof base) =>
    `${x.instances} instance${x.instances > 1 ? "s" : ""}: ${x.ok}/${K} succeeded in ${x.wallS.toFixed(1)} s; ${x.n} events, p50 ${x.p50} ms, p99 ${x.p99} ms; lost ${x.lost}; load ${x.load.map((l) => l.toFixed(1)).join(" → ")}`;
  console.log(`run ${r + 1}: ${K} migrations, ${C} clients (every client subscribed to every job)`);
  console.log(`  baseline, ${fmt(base)}`);
  console.log(`  ${fmt(multi)}; p99 × ${((multi.p99 ?? 0) / Math.max(1, base.p99 ?? 1)).toFixed(2)} the baseline's`);
  console.log(
    `  failover: ${F} migrations on instance 1, SIGKILLed mid-pre-copy: ${multi.adoptedOf} adopted by instance 2 within ${multi.adoptS?.toFixed(1)} s (lease ${LEASE_MS / 1000} s); ${multi.whereOk}/${F} end where the hosts say the domain runs`,
  );
}
process.exit(0);
