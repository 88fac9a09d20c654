// `npm run trials`: a randomized fault campaign on the simulated cluster. Each trial draws, from SEED and its index,
// a job (live migration, save, restore, move by save/restore) on xl, virsh or xm hosts, zero, one or two faults and
// their moments, runs it on a fresh simulated cluster and database, and then asks the hosts — over SSH sessions of
// its own — whether every domain runs on exactly one host or sits in a whole catalogued image, and whether the job
// says so. A violation prints the line that replays it.
//
//   TRIALS=30 SEED=1234 npm run trials          a campaign (SEED defaults to a random one, printed)
//   SEED=1234 TRIAL=17 npm run trials           one trial again
//   TOOLSTACK=virsh FAULT=ferry-kill JOB=save   narrow the draw; TIME_SCALE (default 4) speeds the simulated hosts
//   PARALLEL=3                                  trials at once (default 3: each has its own cluster and database,
//                                               and mostly waits on the simulated hosts; 1 runs them one by one)
import { percentile } from "../../lib/jobs/history";
import { type Filter, describeFault, drawTrial, type Fault, type TrialPlan } from "./plan";
import { runTrial, type TrialResult } from "./trial";

const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
const trials = Number(process.env.TRIALS ?? 30);
const only = process.env.TRIAL !== undefined ? Number(process.env.TRIAL) : null;
const timeScale = Number(process.env.TIME_SCALE ?? 4);
const filter: Filter = {
  toolstack: process.env.TOOLSTACK as Filter["toolstack"],
  fault: process.env.FAULT as Filter["fault"],
  job: process.env.JOB as Filter["job"],
};
const filterText = Object.entries(filter)
  .filter(([, v]) => v)
  .map(([k, v]) => `${k.toUpperCase()}=${v}`)
  .join(" ");

const replay = (p: TrialPlan) => `SEED=${p.seed} TRIAL=${p.index}${filterText ? ` ${filterText}` : ""} npm run trials`;
const headline = (p: TrialPlan) =>
  `${p.toolstack} ${p.job} ${p.domain} ${p.job === "save" ? `on ${p.source}` : p.job === "restore" ? `on ${p.source}` : `${p.source} → ${p.target}`}`;

console.log(
  `fault campaign: seed ${seed}, ${only !== null ? `trial ${only}` : `${trials} trials`}${filterText ? `, ${filterText}` : ""}, simulated hosts at ${timeScale}× time`,
);
const results: TrialResult[] = [];
const indexes = only !== null ? [only] : Array.from({ length: trials }, (_, i) => i);
const parallel = Math.max(1, Number(process.env.PARALLEL ?? 3));
console.log(
  `${parallel > 1 && indexes.length > 1 ? `${Math.min(parallel, indexes.length)} at a time, ` : ""}each line as its trial ends`,
);

async function one(i: number) {
  const plan = drawTrial(seed, i, filter);
  const r = await runTrial(plan, timeScale);
  results.push(r);
  const outcome = r.job ? `${r.job.status}${r.job.locationHost ? ` (on ${r.job.locationHost})` : ""}` : "no job";
  console.log(
    `#${String(i).padStart(3)} ${headline(plan)} · ${r.fired.join("; ") || "no fault"} · ${outcome} · ${r.violations.length ? "VIOLATION" : "ok"} ${(r.ms / 1000).toFixed(1)} s${r.recoveryMs !== null ? ` · recovered in ${(r.recoveryMs / 1000).toFixed(2)} s` : ""}`,
  );
  for (const v of r.violations) console.log(`       ✗ ${v}`);
  if (r.violations.length) {
    console.log(`       steps: ${JSON.stringify(plan)}`);
    console.log(`       replay: ${replay(plan)}`);
  }
}
// a few lanes, each taking the next trial when its last one ends
const queue = [...indexes];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) await one(i);
  }),
);
results.sort((a, b) => a.plan.index - b.plan.index);

// the table: trials per toolstack × job × fault
const faultKey = (f: Fault[]) => (f.length === 0 ? "none" : f.map((x) => x.kind).join("+"));
const table = new Map<string, { n: number; bad: number }>();
for (const r of results) {
  const k = `${r.plan.toolstack}\t${r.plan.job}\t${faultKey(r.plan.faults)}`;
  const row = table.get(k) ?? { n: 0, bad: 0 };
  row.n++;
  if (r.violations.length) row.bad++;
  table.set(k, row);
}
console.log("\ntoolstack  job      faults                         trials  violations");
for (const [k, v] of [...table].sort()) {
  const [t, j, f] = k.split("\t");
  console.log(
    `${t.padEnd(10)} ${j.padEnd(8)} ${f.padEnd(30)} ${String(v.n).padStart(6)}  ${String(v.bad).padStart(10)}`,
  );
}
const recoveries = results
  .map((r) => r.recoveryMs)
  .filter((x): x is number => x !== null)
  .sort((a, b) => a - b);
const bad = results.filter((r) => r.violations.length);
const moments = results.flatMap((r) => r.fired).filter((f) => !/did not fire/.test(f)).length;
console.log(
  `\n${results.length} trials, ${moments} faults struck, ${bad.length} with violations` +
    (recoveries.length
      ? `; after a Ferry SIGKILL the job ended truthfully in median ${((percentile(recoveries, 50) ?? 0) / 1000).toFixed(2)} s, worst ${((recoveries.at(-1) ?? 0) / 1000).toFixed(2)} s (${recoveries.length} kills)`
      : ""),
);
if (bad.length) {
  console.log("replay the violations:");
  for (const r of bad)
    console.log(`  ${replay(r.plan)}   # ${headline(r.plan)} · ${r.plan.faults.map(describeFault).join("; ")}`);
}
process.exit(bad.length ? 1 : 0);
