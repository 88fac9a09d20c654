// `npm run bench:evacuate`: 20 Xen domains of mixed memory and dirty rate on one simulated host, three targets,
// one shared uplink (1 Gbit/s). Three ways to empty the host, each on a fresh simulated cluster (its own
// process): Ferry's plan (placement and concurrency chosen by the planner); all at once in XAPI's batches of 10;
// one at a time (Nova's default). The batch and serial runs use the plan's placement, so only the concurrency
// differs. Reported: total time against the physical bound Σ memory ÷ link, the longest downtime, how many
// domains went over their maximum downtime (300 ms), and the plan's forecast total against the real one.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { HostService } from "../lib/hosts/service";
import { EvacuationService } from "../lib/evacuate/service";
import { Placement } from "../lib/evacuate/placement";
import { isFinal } from "../lib/jobs/types";
import { jobsAhead } from "../lib/jobs/watch";
import { profileThisProcess, report } from "./profile";
import { startSimProcess } from "./support";

const SCALE = Number(process.env.TIME_SCALE ?? 1);
/** the simulated world's figures (sim/default-world.ts createEvacuationWorld): Σ memory over its 1 Gbit/s uplink */
const BOUND_MS = ((5 * (128 + 256 + 384 + 512) * 1048576) / 125_000_000) * 1000;
const MAX_DOWNTIME_MS = 300;

async function setUp(maxOutgoing: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-evac-"));
  const sim = await startSimProcess(dir, { SIM_WORLD: "evacuate" });
  await fetch(`${sim.controlUrl}/time-scale?value=${SCALE}`, { method: "POST" });
  const { db } = await openDatabase(path.join(dir, "ferry.db"));
  for (const h of sim.hosts)
    await db.host.create({
      data: {
        id: h.name,
        name: h.name,
        address: h.address,
        port: h.port,
        user: h.user,
        authMethod: "key",
        keyPath: h.keyPath,
        fingerprint: h.fingerprint,
        toolstack: h.toolstack,
      },
    });
  const inventory = new Inventory(new SshPool());
  const hosts = new HostService(db, inventory);
  await hosts.loadAll();
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory, { maxOutgoingPerHost: maxOutgoing });
  const evac = new EvacuationService(db, inventory, engine, hosts, new Placement(db, inventory));
  return {
    db,
    inventory,
    engine,
    evac,
    async tearDown() {
      inventory.stop();
      await db.$disconnect();
      sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function finalJobs(db: Db, ids: string[]) {
  for (;;) {
    const rows = await db.job.findMany({ where: { id: { in: ids } } });
    if (rows.length === ids.length && rows.every((r) => isFinal(r.status as never))) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Where a run's time goes, per move (averages, simulated ms): from the job's creation to its first byte on the link
 * (admission, queue, checks), on the link (reservation, pre-copy, stop-and-copy), from the link's last byte to the job's
 * end (commitment, activation, the hosts asked where the domain is), and the link idle between one move's last byte
 * and the next one's first.
 */
async function timeline(db: Db, ids: string[]) {
  const events = await db.jobEvent.findMany({ where: { jobId: { in: ids } }, orderBy: { seq: "asc" } });
  const jobs = await db.job.findMany({ where: { id: { in: ids } } });
  const at = (id: string, phases: string[]) =>
    events.find((e) => e.jobId === id && phases.includes(e.phase))?.at.getTime() ?? Number.NaN;
  const moves = jobs
    .map((j) => ({
      created: j.createdAt.getTime(),
      on: at(j.id, ["reservation", "precopy"]),
      off: at(j.id, ["commitment", "activation", "done"]),
      end: j.finishedAt!.getTime(),
      followed: jobsAhead(j).length > 0,
    }))
    .filter((m) => Number.isFinite(m.on) && Number.isFinite(m.off))
    .sort((a, b) => a.on - b.on);
  const mean = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length) * SCALE : 0);
  const idle = moves
    .slice(1)
    .map((m, i) => ({ m, ms: Math.max(0, m.on - Math.max(...moves.slice(0, i + 1).map((p) => p.off))) }));
  const ms = (xs: { ms: number }[]) => `${mean(xs.map((x) => x.ms)).toFixed(0)} ms`;
  const followed = idle.filter((x) => x.m.followed);
  return `per move: before the link ${mean(moves.map((m) => m.on - m.created)).toFixed(0)} ms, on it ${mean(moves.map((m) => m.off - m.on)).toFixed(0)} ms, after it ${mean(moves.map((m) => m.end - m.off)).toFixed(0)} ms; link idle between moves ${ms(idle)} (Σ ${((idle.reduce((a, b) => a + b.ms, 0) * SCALE) / 1000).toFixed(1)} s)${followed.length ? `; ${followed.length} moves followed the one before onto the link (idle before them ${ms(followed)}, before the others ${ms(idle.filter((x) => !x.m.followed))})` : ""}`;
}

interface Row {
  name: string;
  totalMs: number;
  boundMs: number;
  /** every byte the migrations sent (memory and what pre-copy resent as the guests dirtied it) ÷ the link */
  sentMs: number;
  maxDowntimeMs: number;
  over: number;
  /** of those over, how many are upper bounds (≤) */
  bounds: number;
  failed: number;
  note: string;
  timeline?: string;
}

function figures(name: string, jobs: Awaited<ReturnType<typeof finalJobs>>, note = ""): Row {
  const start = Math.min(...jobs.map((j) => j.createdAt.getTime()));
  const end = Math.max(...jobs.map((j) => j.finishedAt!.getTime()));
  const downs = jobs.map((j) => j.downtimeMs ?? 0);
  // xl's downtime is measured by polls; when no poll saw the source suspended it is only an upper bound
  const bounds = jobs.filter((j) => j.downtimeBound && (j.downtimeMs ?? 0) * SCALE > MAX_DOWNTIME_MS).length;
  return {
    name,
    totalMs: (end - start) * SCALE,
    boundMs: BOUND_MS,
    sentMs: (jobs.reduce((a, j) => a + Number(j.bytesSent), 0) / 125_000_000) * 1000,
    maxDowntimeMs: Math.max(...downs) * SCALE,
    over: downs.filter((d) => d * SCALE > MAX_DOWNTIME_MS).length,
    bounds,
    failed: jobs.filter((j) => j.status !== "succeeded").length,
    note:
      note ||
      [
        ...new Set(
          jobs.filter((j) => j.status !== "succeeded").map((j) => `${j.errorCode}: ${j.errorMessage?.slice(0, 90)}`),
        ),
      ].join(" | "),
  };
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(`bench:evacuate — time scale ${SCALE}× (figures converted to simulated time), load before ${load()}`);
const rows: Row[] = [];
let placement: { domain: string; target: string }[] = [];

// 1. Ferry's plan, with the engine's own limit on moves out of one host (default 2)
{
  const s = await setUp(Number(process.env.FERRY_MAX_OUTGOING ?? 2));
  const { plan } = await s.evac.plan({ hostId: "src", kind: "evacuate" });
  placement = plan.moves.map((m) => ({ domain: m.domain, target: m.target }));
  const evacuate = async () => {
    const run = await s.evac.run({ hostId: "src", kind: "evacuate", expect: placement }, "bench");
    for (;;) {
      const v = await s.evac.get(run.id);
      if (v.status !== "running" && v.status !== "stopping") return run;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  // BENCH_PROFILE=<dir>: a CPU profile of Ferry's process while its plan runs
  let run: Awaited<ReturnType<typeof evacuate>>;
  if (process.env.BENCH_PROFILE) {
    const profiled = await profileThisProcess(evacuate);
    run = profiled.result;
    report(process.env.BENCH_PROFILE, "evacuate-plan", "Ferry's process while its plan runs", profiled.profile);
  } else run = await evacuate();
  const jobs = await finalJobs(
    s.db,
    (await s.db.job.findMany({ where: { evacuationId: run.id } })).map((j) => j.id),
  );
  const row = figures(
    `Ferry's plan (${plan.concurrency} at once; weighed ${plan.candidates.map((c) => `${c.concurrency}:${(c.totalMs / 1000).toFixed(0)} s${c.overMaxDowntime.length ? `, ${c.overMaxDowntime.length} over` : ""}`).join(" · ")})`,
    jobs,
  );
  const err = Math.abs(plan.totalMs / SCALE - row.totalMs / SCALE) / (row.totalMs / SCALE);
  row.timeline = await timeline(
    s.db,
    jobs.map((j) => j.id),
  );
  row.note = `link as Ferry measured it ${((plan.boundMs > 0 ? BOUND_MS / SCALE / plan.boundMs : 0) * 125).toFixed(0)} MB/s (true 125 MB/s); forecast ${((plan.totalMs / 1000) * SCALE).toFixed(1)} s vs real ${(row.totalMs / 1000).toFixed(1)} s: ${(err * 100).toFixed(0)} % off`;
  rows.push(row);
  await s.tearDown();
}

// 2 and 3: the same placement, all at once (batches of 10) and one at a time
// BENCH_PLAN_ONLY=1: Ferry's plan alone
for (const [name, k] of process.env.BENCH_PLAN_ONLY
  ? []
  : ([
      ["all at once (XAPI-style batch of 10)", 10],
      ["one at a time (Nova's default)", 1],
    ] as const)) {
  const s = await setUp(k);
  const ids: string[] = [];
  for (const m of placement)
    ids.push(
      (
        await s.engine.submit({
          domain: m.domain,
          sourceId: "src",
          targetId: m.target,
          createdBy: "bench",
          confirmWarnings: true,
        })
      ).id,
    );
  rows.push({ ...figures(name, await finalJobs(s.db, ids)), timeline: await timeline(s.db, ids) });
  await s.tearDown();
}

console.log(
  `\n${"strategy".padEnd(70)} ${"total".padStart(8)} ${"÷ bound".padStart(8)} ${"÷ sent".padStart(8)} ${"max downtime".padStart(13)} ${"over 300 ms".padStart(11)} failed`,
);
for (const r of rows) {
  console.log(
    `${r.name.slice(0, 70).padEnd(70)} ${`${(r.totalMs / 1000).toFixed(1)} s`.padStart(8)} ${`${(r.totalMs / r.boundMs).toFixed(2)}×`.padStart(8)} ${(r.failed ? "—" : `${(r.totalMs / r.sentMs).toFixed(2)}×`).padStart(8)} ${`${Math.round(r.maxDowntimeMs)} ms`.padStart(13)} ${`${r.over}${r.bounds ? ` (${r.bounds} ≤)` : ""}`.padStart(11)} ${r.failed}${r.note ? `   (${r.note})` : ""}`,
  );
  if (r.timeline) console.log(`${"".padEnd(4)}${r.timeline}`);
}
console.log(
  `bound: Σ memory ÷ 1 Gbit/s = ${(rows[0].boundMs / 1000).toFixed(1)} s; sent: every byte the migrations sent (pre-copy resends what the guests dirty) ÷ 1 Gbit/s, ${rows.map((r) => (r.failed ? "— (moves failed)" : `${(r.sentMs / 1000).toFixed(1)} s`)).join(" / ")} · load after ${load()}`,
);
process.exit(0);
