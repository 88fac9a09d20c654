import { locateOnBoth, settlePatienceMs } from "../locate";
import { toAppError } from "../../errors";
import { phaseIndex, type JobPhase } from "../events";
import type { MigrationContext } from "../types";
import type { MigrationOutcome } from "../events";
import type { CommandRunner } from "../types";
import * as cmd from "./commands";
import { virshMigrateError } from "./errors";
import { parseDomjobinfo, parseVirshList, type JobInfo } from "./parse";

// Runs `virsh migrate --live --verbose --persistent --undefinesource dom qemu+ssh://target/system` on the
// source while a second channel polls `virsh domjobinfo` (ctx.pollMs: 500 ms by default, like virsh) and
// `virsh domstate --reason`: each poll is one "jobinfo" event (iteration, memory processed / remaining,
// bandwidth, dirty rate, expected downtime). After success the target's `domjobinfo --completed`
// gives QEMU's own total downtime. Cancel = `virsh domjobabort` (virsh's own Ctrl-C does the same).

async function jobInfo(runner: CommandRunner, dom: string, completed = false): Promise<JobInfo | null> {
  const r = await runner.exec(cmd.domjobinfo(dom, completed), { timeoutMs: 5_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  try {
    return parseDomjobinfo(r.stdout);
  } catch {
    return null;
  }
}

async function stateOf(runner: CommandRunner, dom: string): Promise<string | null> {
  const r = await runner.exec(cmd.domstate(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r && r.code === 0 ? r.stdout.trim() : null;
}

export const jobInfoPayload = (j: JobInfo, final: boolean) => ({
  final,
  iteration: j.iteration,
  elapsedMs: j.elapsedMs,
  memoryProcessed: j.memoryProcessed,
  memoryRemaining: j.memoryRemaining,
  memoryTotal: j.memoryTotal,
  bandwidthBps: j.bandwidthBps,
  dirtyPagesPerSec: j.dirtyPagesPerSec,
  pageSize: j.pageSize,
  expectedDowntimeMs: j.expectedDowntimeMs,
  totalDowntimeMs: j.totalDowntimeMs,
  throttlePercent: j.autoConvergeThrottle,
  zeroPages: j.constantPages,
});

export async function migrateVirsh(ctx: MigrationContext): Promise<MigrationOutcome> {
  const setPhase = (phase: JobPhase) => {
    if (phaseIndex(phase) > phaseIndex(ctx.phase())) ctx.emit({ type: "phase", phase, payload: {} });
  };
  const o = ctx.options ?? {};
  const pollMs = ctx.pollMs;
  if (o.maxDowntimeMs) {
    const r = await ctx.source.exec(cmd.setMaxDowntime(ctx.domain, o.maxDowntimeMs), { timeoutMs: 10_000 });
    ctx.emit({
      type: "log",
      phase: ctx.phase(),
      payload: {
        line:
          r.code === 0
            ? `ferry: maximum downtime set to ${o.maxDowntimeMs} ms`
            : `ferry: could not set the maximum downtime: ${r.stderr.trim()}`,
      },
    });
  }
  const argv = cmd.migrate(ctx.domain, cmd.targetUri(ctx.targetAddress), {
    bandwidthMiBps: o.bandwidthMiBps,
    autoConverge: o.autoConverge,
    postcopy: o.postcopy,
    p2p: o.p2p,
  });
  ctx.emit({ type: "log", phase: ctx.phase(), payload: { line: `$ ${argv.join(" ")}` } });
  setPhase("reservation");
  const t0 = Date.now();
  let done = false;
  let stderr = "";

  const poll = async () => {
    while (!done) {
      const started = Date.now();
      const [j, state] = await Promise.all([jobInfo(ctx.source, ctx.domain), stateOf(ctx.source, ctx.domain)]);
      if (done) break;
      if (j && j.type !== "None" && j.memoryTotal) {
        if ((j.iteration ?? 0) >= 1) setPhase("precopy");
        ctx.emit({ type: "jobinfo", phase: ctx.phase(), payload: jobInfoPayload(j, false) });
        ctx.emit({
          type: "sample",
          phase: ctx.phase(),
          payload: {
            bytesSent: j.memoryProcessed ?? 0,
            throughputBps: j.bandwidthBps ?? 0,
            elapsedMs: Date.now() - t0,
          },
        });
      }
      // libvirt says "paused (migrating)" (older docs: "migration")
      if (state && /^paused \((migrating|migration|post-copy)\)/.test(state)) setPhase("stop-and-copy");
      await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (Date.now() - started))));
    }
  };
  const polling = poll();
  const onAbort = () => {
    void ctx.source
      .exec(cmd.domjobabort(ctx.domain), { timeoutMs: 10_000 })
      .then((r) => {
        ctx.emit({
          type: "log",
          phase: ctx.phase(),
          payload: {
            line: r.code === 0 ? "ferry: virsh domjobabort sent" : `ferry: virsh domjobabort: ${r.stderr.trim()}`,
          },
        });
      })
      .catch(() => {});
  };
  ctx.cancel.addEventListener("abort", onAbort, { once: true });

  let code: number | null = null;
  let lost: unknown = null;
  try {
    // progress comes from domjobinfo; virsh's own "\rMigration: [ 37 %]" chunks are only kept for the error lines
    const r = await ctx.source.exec(argv, { timeoutMs: 6 * 3600_000 });
    code = r.code;
    stderr = r.stderr;
  } catch (e) {
    lost = e;
  }
  done = true;
  ctx.cancel.removeEventListener("abort", onAbort);
  await polling;
  for (const line of stderr.split(/[\r\n]/).filter((l) => l.trim() && !/^\w+: \[\s*\d+ %\]$/.test(l)))
    ctx.emit({ type: "log", phase: ctx.phase(), payload: { line } });

  if (code === 0) {
    setPhase("commitment");
    const completed = await jobInfo(ctx.target, ctx.domain, true);
    if (completed) {
      ctx.emit({ type: "jobinfo", phase: "activation", payload: jobInfoPayload(completed, true) });
      ctx.emit({
        type: "sample",
        phase: "activation",
        payload: {
          bytesSent: completed.memoryProcessed ?? 0,
          throughputBps: completed.bandwidthBps ?? 0,
          elapsedMs: Date.now() - t0,
        },
      });
      if (completed.totalDowntimeMs !== null)
        ctx.emit({
          type: "downtime",
          phase: "activation",
          payload: { ms: completed.totalDowntimeMs, upperBound: false },
        });
    }
    setPhase("activation");
  }
  const location = await locateVirsh(ctx, settlePatienceMs(ctx, Boolean(lost)));
  if (lost) {
    const arrived = location.host === ctx.targetName;
    return {
      status: arrived ? "succeeded" : location.host === ctx.sourceName ? "failed" : "interrupted",
      errorCode: arrived ? null : "ssh_lost_during_job",
      errorMessage: arrived
        ? null
        : `Ferry lost its SSH session to ${ctx.sourceName} during the migration (${toAppError(lost).message}).`,
      location,
    };
  }
  if (code === 0)
    return {
      status: location.host === ctx.targetName ? "succeeded" : "interrupted",
      errorCode: location.host === ctx.targetName ? null : "migrate_failed",
      errorMessage:
        location.host === ctx.targetName
          ? null
          : "virsh reported success, but the domain is not running on the target alone.",
      location,
    };
  const err = virshMigrateError(stderr);
  if (ctx.cancel.aborted && location.host === ctx.sourceName) {
    return {
      status: "cancelled",
      errorCode: "migrate_cancelled",
      errorMessage: "Aborted before the point of no return (virsh domjobabort); the domain kept running on the source.",
      location,
    };
  }
  return { status: "failed", errorCode: err.code, errorMessage: err.message, location };
}

async function active(runner: CommandRunner): Promise<{ name: string; state: string }[] | null> {
  const r = await runner.exec(cmd.listActive(), { timeoutMs: 5_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  try {
    return parseVirshList(r.stdout);
  } catch {
    return null;
  }
}

/** Whether libvirt still runs a job (a migration) on the domain. */
async function jobActive(runner: CommandRunner, dom: string): Promise<boolean> {
  const r = await runner.exec(cmd.domjobinfo(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r?.code === 0 && /^Job type:\s+(Unbounded|Bounded)\b/m.test(r.stdout);
}

/** Paused by a migration that is over: `domstate --reason` says "paused (migrating)" and no job is active. */
async function leftPaused(runner: CommandRunner, dom: string): Promise<boolean> {
  const state = await stateOf(runner, dom);
  if (!state || !/^paused \((migrating|migration)\)/.test(state)) return false;
  const r = await runner.exec(cmd.domjobinfo(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r?.code === 0 && /^Job type:\s+None\b/m.test(r.stdout);
}

/**
 * Where the domain runs now, asking both hosts' libvirt (`virsh list`: active domains only; a defined but shut-off
 * copy does not run) through the rule every toolstack shares (lib/toolstacks/locate.ts), with libvirt's three
 * additions: a guest a failed migration left paused is resumed once, a migration job libvirtd still runs is waited
 * for, and a guest on neither host is looked for among the defined ones.
 */
export function locateVirsh(
  ctx: Pick<MigrationContext, "source" | "target" | "sourceName" | "targetName" | "domain" | "silentHostMs">,
  patienceMs: number,
): Promise<{ host: string | null; note: string }> {
  return locateOnBoth(
    ctx,
    patienceMs,
    async (runner) => {
      const rows = await active(runner);
      if (!rows) return undefined;
      const r = rows.find((x) => x.name === ctx.domain);
      return r ? { id: null, settled: r.state === "running", shown: r.state } : null;
    },
    {
      // a failed migration can leave the guest frozen on the source: "paused (migrating)" with no job left to finish
      // it (the lab's libvirt did, after a link loss in stop-and-copy and after virsh was killed). It runs nowhere
      // else, so Ferry resumes it, once, and says so.
      async repair(s, d) {
        if (s?.shown !== "paused" || d || !(await leftPaused(ctx.source, ctx.domain))) return null;
        const r = await ctx.source.exec(cmd.resume(ctx.domain), { timeoutMs: 10_000 }).catch(() => null);
        return r?.code === 0
          ? ` A failed migration had left it paused (migrating) on ${ctx.sourceName}; Ferry resumed it.`
          : ` It was left paused (migrating) on ${ctx.sourceName} and Ferry could not resume it: ${r?.stderr.trim() ?? "no answer"}.`;
      },
      // virsh may have given up while libvirtd still runs the migration job (it can still pause the guest for the
      // last copy, or finish): not settled until the source has no job
      stillMoving: () => jobActive(ctx.source, ctx.domain),
      // say where it is still defined, and how it stopped (a guest that crashed mid-migration: "shut off (crashed)")
      async neither() {
        const [sd, dd] = await Promise.all([stateOf(ctx.source, ctx.domain), stateOf(ctx.target, ctx.domain)]);
        const defined = [sd && `on ${ctx.sourceName}, ${sd}`, dd && `on ${ctx.targetName}, ${dd}`].filter(Boolean);
        return defined.length
          ? ` It is defined ${defined.join(" and ")}: start it there (virsh start ${ctx.domain}).`
          : "";
      },
    },
  );
}
