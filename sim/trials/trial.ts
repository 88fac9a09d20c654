import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../lib/db/client";
import { Inventory } from "../../lib/inventory/inventory";
import type { HostRecord } from "../../lib/inventory/types";
import { JobEngine } from "../../lib/jobs/engine";
import { summaryOf } from "../../lib/jobs/store";
import { isFinal, type JobEvent, type JobSummary } from "../../lib/jobs/types";
import { SshPool } from "../../lib/ssh/pool";
import { createDemoWorld } from "../default-world";
import { startTestCluster } from "../testing";
import { spawnEngine } from "./engine-process";
import { CAST, describeFault, type Fault, type Moment, type TrialPlan } from "./plan";
import { askHosts, fileSize, type HostAccess, type Seen } from "./truth";

const MiB = 1024 * 1024;
const ENGINE_OPTS = { pollMs: 20, virshPollMs: 40, settlePollMs: 50, reconnectMs: 20_000 };
const JOB_TIMEOUT_MS = Number(process.env.TRIAL_JOB_TIMEOUT_MS ?? 240_000);

export interface TrialResult {
  plan: TrialPlan;
  job: JobSummary | null;
  /** what happened to each fault: fired at …, or why it did not */
  fired: string[];
  violations: string[];
  /** Ferry SIGKILLed: from the kill to the job's end under the restarted engine */
  recoveryMs: number | null;
  ms: number;
}

/** Runs one trial on a fresh simulated cluster and database, then asks the hosts whether anything was lost. */
export async function runTrial(plan: TrialPlan, timeScale: number): Promise<TrialResult> {
  const t0 = performance.now();
  const world = createDemoWorld();
  // hostB's image directory is private here, so saves go ahead without the world-readable warning
  world.host("hostB").dirs["/xen-saved-images"].mode = 0o700;
  world.timeScale = timeScale;
  const sim = await startTestCluster(world);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-trial-"));
  const dbFile = path.join(dir, "ferry.db");
  const { db } = await openDatabase(dbFile);
  const names = CAST[plan.toolstack].hosts;
  const records = names.map((n) => ({ ...sim.record(n), id: n }));
  const access: HostAccess[] = names.map((n) => {
    const h = sim.info(n);
    return {
      name: n,
      address: h.address,
      port: h.port,
      user: h.user,
      keyPath: h.keyPath,
      toolstack: plan.toolstack,
    };
  });
  let inventory = inventoryOf(records);
  await inventory.refreshAll();
  let engine = new JobEngine(db, inventory, ENGINE_OPTS);
  const fired: string[] = [];
  const violations: string[] = [];
  let recoveryMs: number | null = null;
  let job: JobSummary | null = null;
  let child: ChildProcess | null = null;
  const timers: NodeJS.Timeout[] = [];
  try {
    // before: where every domain runs, asked of the hosts
    const before = await askHosts(access);
    const homeOf = new Map<string, string>();
    for (const [host, seen] of before) {
      if (seen instanceof Error) throw new Error(`before the trial, ${host} did not answer: ${seen.message}`);
      for (const s of seen) if (s.state !== "off") homeOf.set(s.name, host);
    }
    if (homeOf.get(plan.domain) !== plan.source) throw new Error(`${plan.domain} does not run on ${plan.source}`);
    const memoryMiB = world.host(plan.source).domains.find((d) => d.name === plan.domain)!.memoryMiB;
    const imageDir = "/xen-saved-images";

    // a restore needs an image: saved first, without faults (not under test)
    let imageId: string | null = null;
    if (plan.job === "restore") {
      const saved = await waitFinal(
        db,
        engine,
        (await engine.submitSave({ domain: plan.domain, hostId: plan.source, dir: imageDir, createdBy: "trial" })).id,
      );
      if (saved.status !== "succeeded") throw new Error(`the save before the restore failed: ${saved.errorMessage}`);
      imageId = saved.imageId;
      await inventory.refreshAll();
    }

    // faults the simulated toolstack consumes at their own moment
    for (const f of plan.faults) {
      if (f.kind === "link-cut") world.faults.push({ kind: "link-cut", during: f.during, domain: plan.domain });
      else if (
        f.kind === "target-oom" ||
        f.kind === "target-start-fails" ||
        f.kind === "suspend-refused" ||
        f.kind === "domain-crash"
      )
        world.faults.push({ kind: f.kind, domain: plan.domain });
      else if (f.kind === "disk-full")
        world.faults.push({ kind: "disk-full", atPercent: f.atPercent, domain: plan.domain });
    }
    const sourceOf = (who: "source" | "target") =>
      who === "source" || plan.job === "save" ? plan.source : plan.target;
    const restoreHost = plan.source; // the image lies in the source's own directory
    const request = {
      createdBy: "trial",
      ...(plan.job === "migrate"
        ? { kind: "migrate", domain: plan.domain, sourceId: plan.source, targetId: plan.target, confirmWarnings: true }
        : plan.job === "save"
          ? { kind: "save", domain: plan.domain, hostId: plan.source, dir: imageDir }
          : plan.job === "restore"
            ? { kind: "restore", imageId, targetId: restoreHost }
            : { kind: "move", domain: plan.domain, sourceId: plan.source, targetId: plan.target }),
    };

    // the job's events, from this process's engine or from the child's stdout
    const events = new EventEmitter<{ event: [JobEvent] }>();
    const onEngine = (e: JobEvent) => events.emit("event", e);
    if (process.env.TRIAL_DEBUG)
      events.on("event", (e) =>
        console.error(`  [${(performance.now() - t0).toFixed(0)} ms] ${JSON.stringify(e).slice(0, 800)}`),
      );
    engine.on("event", onEngine);
    const killAt = plan.faults.find((f): f is Extract<Fault, { kind: "ferry-kill" }> => f.kind === "ferry-kill");
    const killed = { at: 0 };
    let jobId: string;
    const momentArmed: Promise<void>[] = [];
    for (const f of plan.faults) {
      if (f.kind !== "blip" && f.kind !== "sshd-stop" && f.kind !== "ferry-kill") {
        fired.push(describeFault(f));
        continue;
      }
      momentArmed.push(
        whenMoment(events, f.at, memoryMiB).then((ok) => {
          if (!ok) {
            fired.push(`${describeFault(f)}: did not fire (the job never got there)`);
            return;
          }
          fired.push(describeFault(f));
          if (f.kind === "blip") sim.cluster.server(sourceOf(f.host)).blip();
          else if (f.kind === "sshd-stop") {
            const server = sim.cluster.server(sourceOf(f.host));
            void server.stop();
            timers.push(setTimeout(() => void server.start(), f.forMs));
          } else if (f.kind === "ferry-kill" && child) {
            killed.at = performance.now();
            child.kill("SIGKILL");
          }
        }),
      );
    }
    if (killAt) {
      // the job runs in a Ferry engine of its own process, which is SIGKILLed at the moment
      engine.off("event", onEngine);
      const started = await runInChild(dbFile, records, request, events);
      child = started.child;
      jobId = started.jobId;
      await started.exited;
      events.emit("event", { type: "log", payload: { line: "@@child-exited" } } as unknown as JobEvent);
      // the restarted Ferry: a new engine on the same database asks the hosts
      inventory.stop();
      inventory = inventoryOf(records);
      await inventory.refreshAll();
      engine = new JobEngine(db, inventory, ENGINE_OPTS);
      await engine.recover();
      job = await waitFinal(db, engine, jobId);
      // the time to a truthful end after a kill (none when the job ended before the moment came)
      if (killed.at) recoveryMs = performance.now() - killed.at;
    } else {
      jobId = (await submit(engine, request)).id;
      job = await waitFinal(db, engine, jobId);
    }
    events.emit("event", { type: "log", payload: { line: "@@job-ended" } } as unknown as JobEvent);
    await Promise.all(momentArmed);
    // a stopped sshd comes back before the hosts are asked
    for (const n of names) if (!sim.cluster.server(n).up) await sim.cluster.server(n).start();

    // the truth, from the hosts
    const after = await askHosts(access);
    const live = (name: string) =>
      [...after].flatMap(([host, seen]) =>
        seen instanceof Error ? [] : seen.filter((s) => s.name === name && s.state !== "off").map((s) => ({ host, s })),
      );
    for (const [host, seen] of after)
      if (seen instanceof Error) violations.push(`${host} did not answer: ${seen.message}`);
    for (const [host, seen] of after) {
      if (seen instanceof Error) continue;
      for (const s of seen)
        if (/--(incoming|migratedaway)$/.test(s.name)) violations.push(`${host} still has ${s.name} (${s.raw})`);
    }
    for (const [name, home] of homeOf) {
      if (name === plan.domain) continue;
      const on = live(name);
      if (on.length !== 1 || on[0].host !== home)
        violations.push(
          `${name} (not in the trial) ran on ${home}, now on ${on.map((o) => o.host).join(", ") || "no host"}`,
        );
    }
    const on = live(plan.domain);
    // a domain lives in one place: defined (running or shut off) on one host at most — a move leaves no definition
    // behind, a migration no copy — and, if it runs, defined only where it runs
    const definedOn = [
      ...new Set(
        [...after].flatMap(([host, seen]) =>
          seen instanceof Error ? [] : seen.filter((s) => s.name === plan.domain).map(() => host),
        ),
      ),
    ];
    if (definedOn.length > 1) violations.push(`${plan.domain} is defined on ${definedOn.join(" and ")}`);
    const images = (await engine.catalog.list()).filter((i) => i.state === "present");
    if (!isFinal(job.status)) violations.push(`the job is still ${job.status}`);
    if (on.length > 1)
      violations.push(`${plan.domain} runs on ${on.map((o) => `${o.host} (${o.s.raw})`).join(" and ")}`);
    else if (on.length === 1) {
      if (job.locationHost !== on[0].host)
        violations.push(
          `${plan.domain} runs on ${on[0].host} but the job says ${job.locationHost ?? "nowhere"}: ${job.locationNote}`,
        );
      if (on[0].s.state !== "running" && !/paused/i.test(job.locationNote ?? ""))
        violations.push(`${plan.domain} is ${on[0].s.raw} on ${on[0].host} and the job does not say so`);
    } else if (plan.faults.some((f) => f.kind === "domain-crash")) {
      // the guest itself died (the fault's own doing): it must still be defined on exactly one host, and the job
      // must not claim it runs anywhere
      const defined = [...after].flatMap(([host, seen]) =>
        seen instanceof Error ? [] : seen.filter((s) => s.name === plan.domain).map(() => host),
      );
      if (defined.length !== 1)
        violations.push(`${plan.domain} crashed and is defined on ${defined.join(", ") || "no host"}`);
      if (job.locationHost) violations.push(`${plan.domain} crashed but the job says it runs on ${job.locationHost}`);
      else if (defined.length === 1 && !job.locationNote?.includes(`defined on ${defined[0]}`))
        violations.push(
          `${plan.domain} crashed, defined on ${defined[0]}, and the job does not say where: ${job.locationNote}`,
        );
    } else {
      const whole: string[] = [];
      for (const i of images.filter((i) => i.domainName === plan.domain)) {
        const h = access.find((a) => a.name === i.hostName);
        if (h && ((await fileSize(h, i.path)) ?? 0) >= i.memoryMiB * MiB) whole.push(i.path);
      }
      if (whole.length === 0)
        violations.push(`${plan.domain} runs nowhere and no whole image of it is catalogued: LOST`);
      else if (!whole.some((p) => job!.locationNote?.includes(p)))
        violations.push(`${plan.domain} sits in ${whole.join(", ")} but the job says: ${job.locationNote}`);
    }
    // the catalog matches the files
    for (const i of images) {
      const h = access.find((a) => a.name === i.hostName);
      if (!h) continue;
      const size = await fileSize(h, i.path);
      if (size === null) violations.push(`the catalog lists ${i.hostName}:${i.path}, which is not there`);
      else if (size < i.memoryMiB * MiB)
        violations.push(`the catalog lists ${i.hostName}:${i.path}, which is partial (${size} bytes)`);
    }
  } catch (e) {
    violations.push(`the trial itself failed: ${(e as Error).message}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    child?.kill("SIGKILL");
    inventory.stop();
    await db.$disconnect();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { plan, job, fired, violations, recoveryMs, ms: performance.now() - t0 };
}

function inventoryOf(records: HostRecord[]) {
  const inv = new Inventory(new SshPool());
  for (const r of records) inv.upsert(r);
  return inv;
}

async function submit(engine: JobEngine, req: Record<string, unknown>): Promise<JobSummary> {
  const r = req as never;
  switch (req.kind) {
    case "migrate":
      return engine.submit(r);
    case "save":
      return engine.submitSave(r);
    case "restore":
      return engine.submitRestore(r);
    default:
      return engine.submitMove(r);
  }
}

async function waitFinal(db: Db, engine: JobEngine, jobId: string): Promise<JobSummary> {
  const deadline = performance.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const row = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName)) return summaryOf(row);
    if (performance.now() > deadline) return summaryOf(row);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves true when the job reaches the moment, false when it ended first. */
function whenMoment(events: EventEmitter<{ event: [JobEvent] }>, at: Moment, memoryMiB: number): Promise<boolean> {
  let seen = 0;
  return new Promise((resolve) => {
    const on = (e: JobEvent) => {
      const line = e.type === "log" ? (e.payload as { line: string }).line : "";
      seen++;
      const reached =
        at.kind === "progress"
          ? e.type === "sample" && (e.payload as { bytesSent: number }).bytesSent >= at.fraction * memoryMiB * MiB
          : at.kind === "phase"
            ? (e as { phase?: string }).phase === at.phase
            : seen === at.n;
      if (reached || line === "@@job-ended" || line === "@@child-exited") {
        events.off("event", on);
        resolve(reached);
      }
    };
    events.on("event", on);
  });
}

/** The job in a Ferry engine of its own process (lib/jobs/testing/engine-child.ts); its events feed `events`. */
async function runInChild(
  dbFile: string,
  records: HostRecord[],
  request: Record<string, unknown>,
  events: EventEmitter<{ event: [JobEvent] }>,
) {
  const child = spawnEngine(dbFile, records, request, ENGINE_OPTS, "pipe");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let buf = "";
  const jobId = await new Promise<string>((resolve, reject) => {
    child.once("exit", () => reject(new Error("Ferry's engine process exited before it took the job")));
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.submitted) resolve(line.submitted);
        else {
          events.emit("event", line as JobEvent);
          // the job ended before the moment came: this Ferry has nothing left to be killed in
          const status = line.type === "result" ? (line.payload as { status?: string }).status : undefined;
          if (status && isFinal(status as JobSummary["status"])) child.kill("SIGTERM");
        }
      }
    });
  });
  return { child, jobId, exited };
}

export type { Seen };
