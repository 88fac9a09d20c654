import { locateOnBoth, lostSessionOutcome, settlePatienceMs } from "../locate";
import type { MigrationOutcome } from "../events";
import type { CommandRunner, DiskCopy, MigrationContext } from "../types";
import { formatBytes } from "../../format-bytes";
import { createCopies, withDisks } from "../linux/disk-copies";
import { phaseSetter, pollEvery, sharedOutcome } from "../watch";
import * as cmd from "./commands";
import { virshMigrateError } from "./errors";
import { parseDomjobinfo, parseVirshList, type JobInfo } from "./parse";
import {
  jobActive,
  leftPaused,
  removeIncoming,
  retireDefinition,
  retireSource,
  stateOf,
  stopUnfinishedIncoming,
} from "./leftovers";
import { stuckCancelWatch } from "./stuck-cancel";
import { outliveVirsh } from "./outlive";

// Runs `virsh migrate --live --verbose --persistent --undefinesource dom qemu+ssh://target/system` on the
// source while a second channel polls `virsh domjobinfo` (ctx.pollMs: 500 ms by default, like virsh) and
// `virsh domstate --reason`: each poll is one "jobinfo" event (iteration, memory processed / remaining,
// bandwidth, dirty rate, expected downtime). After success the target's `domjobinfo --completed`
// gives QEMU's own total downtime. Cancel = `virsh domjobabort` (virsh's own Ctrl-C does the same); a virsh that does
// not end within ABORT_GRACE_MS of it gets that Ctrl-C (SIGINT over the channel), so a cancel works in every phase.
// A virsh that waits in the reservation while libvirt on the source has had no migration job for NO_JOB_MS, or that
// has sent nothing for as long as Ferry waits for a silent host (the source's link went down while the target
// prepared: the real lab saw it hang for minutes), is interrupted the same way; then a paused incoming copy libvirt
// left on the target is removed once the guest runs on the source (locateVirsh).

/** How long a virsh may go on after `virsh domjobabort` before it is interrupted. */
const ABORT_GRACE_MS = 5_000;
/** How long the reservation may go on with no migration job on the source before virsh is interrupted. */
export const NO_JOB_MS = 15_000;

async function jobInfo(runner: CommandRunner, dom: string, completed = false): Promise<JobInfo | null> {
  const r = await runner.exec(cmd.domjobinfo(dom, completed), { timeoutMs: 5_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  try {
    return parseDomjobinfo(r.stdout);
  } catch {
    return null;
  }
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
  ...(j.diskTotal !== null
    ? { diskProcessed: j.diskProcessed, diskRemaining: j.diskRemaining, diskTotal: j.diskTotal }
    : {}),
});

export async function migrateVirsh(ctx: MigrationContext): Promise<MigrationOutcome> {
  const disks = ctx.copyDisks ?? [];
  if (!disks.length) return migrateOnce(ctx, []);
  const { created, error } = await createCopies(ctx, disks);
  if (error)
    return {
      status: "failed",
      errorCode: "migrate_failed",
      errorMessage: error,
      location: { host: ctx.sourceName, note: `${ctx.domain} stays on ${ctx.sourceName}, untouched.` },
    };
  return withDisks(ctx, created, await migrateOnce(ctx, created));
}

async function migrateOnce(ctx: MigrationContext, disks: DiskCopy[]): Promise<MigrationOutcome> {
  const setPhase = phaseSetter(ctx);
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
    copyDisks: disks.map((d) => d.vdev),
    // a disk layered on a backing file the target sees: only its top layer moves (a disk that stands alone is all top)
    copyTopOnly: disks.some((d) => d.backing),
  });
  if (disks.length)
    ctx.emit({
      type: "log",
      phase: ctx.phase(),
      payload: {
        line: `ferry: QEMU copies ${disks.map((d) => `${d.vdev} (${formatBytes(d.allocatedBytes)} in use)`).join(", ")} to ${ctx.targetName} first, then the memory`,
      },
    });
  ctx.emit({ type: "log", phase: ctx.phase(), payload: { line: `$ ${argv.join(" ")}` } });
  setPhase("reservation");
  const t0 = Date.now();
  let done = false;
  let stderr = "";
  /** Ctrl-C for virsh: a cancel it outlived, or a reservation that waits on nothing */
  const interrupt = new AbortController();
  /** a virsh that outlives its Ctrl-C too: Ferry kills it (KILL over the channel) and stops waiting */
  const giveUp = new AbortController();
  interrupt.signal.addEventListener("abort", () => setTimeout(() => !done && giveUp.abort(), ABORT_GRACE_MS).unref(), {
    once: true,
  });
  let hung: string | null = null;
  /** the disks' bytes copied so far (a disk copy under way is not a reservation that waits on nothing) */
  let diskBytes = 0;
  /** since when libvirt on the source has answered "Job type: None" (null: it has a job, or did not answer) */
  let noJobSince: number | null = null;

  const polling = pollEvery(pollMs, async () => {
    const [j, state] = await Promise.all([jobInfo(ctx.source, ctx.domain), stateOf(ctx.source, ctx.domain)]);
    if (done) return;
    // a migration with its disks reports the disks' figures first ("File processed"), the memory's after
    if (j && j.type !== "None" && (j.memoryTotal || j.diskTotal)) {
      if ((j.iteration ?? 0) >= 1) setPhase("precopy");
      if (j.diskProcessed) diskBytes = j.diskProcessed;
      ctx.emit({ type: "jobinfo", phase: ctx.phase(), payload: jobInfoPayload(j, false) });
      ctx.emit({
        type: "sample",
        phase: ctx.phase(),
        payload: {
          // the memory's bytes: the disks' (their full size as QEMU counts them) show on their own bar
          bytesSent: j.memoryProcessed ?? 0,
          throughputBps: j.bandwidthBps ?? 0,
          elapsedMs: Date.now() - t0,
        },
      });
    }
    // libvirt says "paused (migrating)" (older docs: "migration")
    if (state && /^paused \((migrating|migration|post-copy)\)/.test(state)) setPhase("stop-and-copy");
    // only libvirt's own "Job type: None" says there is no job; a poll that got no answer says nothing
    noJobSince = j?.type === "None" ? (noJobSince ?? Date.now()) : null;
    const waited = Date.now() - t0;
    const why =
      ctx.phase() !== "reservation" || interrupt.signal.aborted
        ? null
        : noJobSince !== null && Date.now() - noJobSince >= NO_JOB_MS
          ? `while libvirt on ${ctx.sourceName} had no migration job (the link between the hosts may have gone down while ${ctx.targetName} prepared)`
          : waited >= (ctx.silentHostMs ?? 120_000) && diskBytes === 0
            ? `without a byte of memory sent (as long as Ferry waits for a silent host)`
            : null;
    if (why) {
      hung = `virsh migrate waited ${Math.round(waited / 1000)} s in the reservation ${why}; Ferry interrupted it.`;
      ctx.emit({ type: "log", phase: ctx.phase(), payload: { line: `ferry: ${hung}` } });
      interrupt.abort();
    }
  });
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
    // a virsh that outlives the abort (it waits on a host that no longer answers) gets its Ctrl-C
    setTimeout(() => {
      if (done || interrupt.signal.aborted) return;
      ctx.emit({
        type: "log",
        phase: ctx.phase(),
        payload: { line: "ferry: virsh goes on after the abort: interrupting it" },
      });
      interrupt.abort();
    }, ABORT_GRACE_MS).unref();
  };
  ctx.cancel.addEventListener("abort", onAbort, { once: true });

  let code: number | null = null;
  let lost: unknown = null;
  try {
    // progress comes from domjobinfo; virsh's own "\rMigration: [ 37 %]" chunks are only kept for the error lines
    const r = await ctx.source.exec(argv, {
      timeoutMs: 6 * 3600_000,
      interrupt: interrupt.signal,
      signal: giveUp.signal,
    });
    code = r.code;
    stderr = r.stderr;
  } catch (e) {
    if (giveUp.signal.aborted) stderr = "virsh did not end when interrupted; Ferry killed it and stopped waiting.";
    else lost = e;
  }
  done = true;
  ctx.cancel.removeEventListener("abort", onAbort);
  await polling.stop();
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
  // a session lost mid-migration did not end virsh on the source: nothing is concluded while it runs
  if (lost)
    await outliveVirsh(ctx.source, argv, {
      domain: ctx.domain,
      pollMs: Math.max(pollMs, 500),
      noJobMs: NO_JOB_MS,
      graceMs: ABORT_GRACE_MS,
      silentMs: ctx.silentHostMs ?? 120_000,
      log: (line) => ctx.emit({ type: "log", phase: ctx.phase(), payload: { line } }),
    });
  const location = await locateVirsh(ctx, settlePatienceMs(ctx, Boolean(lost)));
  if (lost) return lostSessionOutcome(ctx, lost, location);
  const shared = sharedOutcome(ctx, {
    code,
    tool: "virsh",
    location,
    cancelledWords: "Aborted before the point of no return (virsh domjobabort); the domain kept running on the source.",
  });
  if (shared) return shared;
  const err = virshMigrateError(stderr);
  if (hung && !ctx.cancel.aborted)
    return {
      status: location.host === ctx.sourceName ? "failed" : "interrupted",
      errorCode: "migrate_link_lost",
      errorMessage: hung,
      location,
    };
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

/**
 * Where the domain runs now, asking both hosts' libvirt (`virsh list`: active domains only; a defined but shut-off
 * copy does not run) through the rule every toolstack shares (lib/toolstacks/locate.ts), with libvirt's additions:
 * what a migration that went wrong left behind is cleared once (./leftovers.ts, and a cancel QEMU missed:
 * ./stuck-cancel.ts), a migration job libvirtd still runs is waited for (and named if it outlasts the patience), and a
 * guest on neither host is looked for among the defined ones.
 */
export function locateVirsh(
  ctx: Pick<MigrationContext, "source" | "target" | "sourceName" | "targetName" | "domain" | "silentHostMs">,
  patienceMs: number,
): Promise<{ host: string | null; note: string }> {
  const missedCancel = stuckCancelWatch(ctx);
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
      // a migration that went wrong leaves copies behind (./leftovers.ts): a paused incoming copy on the target, a stale
      // paused copy or a stale shut-off definition on the source of a guest that runs on the target, or the guest
      // frozen on the source — "paused
      // (migrating)" with no job left to finish it (the lab's libvirt did, after a link loss in stop-and-copy and after
      // virsh was killed) and running nowhere else, so Ferry resumes it, once, and says so.
      async repair(s, d) {
        if (s?.settled && d && !d.settled) return removeIncoming(ctx);
        if (s?.settled && d?.settled) return stopUnfinishedIncoming(ctx);
        if (d?.settled && s && !s.settled) return retireSource(ctx);
        if (d?.settled && !s) return retireDefinition(ctx);
        if (s?.shown === "paused" && !d) {
          const released = await missedCancel();
          if (released) return released;
        }
        if (s?.shown !== "paused" || d || !(await leftPaused(ctx.source, ctx.domain))) return null;
        const r = await ctx.source.exec(cmd.resume(ctx.domain), { timeoutMs: 10_000 }).catch(() => null);
        return r?.code === 0
          ? ` A failed migration had left it paused (migrating) on ${ctx.sourceName}; Ferry resumed it.`
          : ` It was left paused (migrating) on ${ctx.sourceName} and Ferry could not resume it: ${r?.stderr.trim() ?? "no answer"}.`;
      },
      // virsh may have given up while libvirtd still runs the migration job (it can still pause the guest for the
      // last copy, or finish): not settled until the source has no job
      stillMoving: () => jobActive(ctx.source, ctx.domain),
      // libvirt 9.0 in the lab, a cancel 1.6 s into a --copy-storage-all migration: the disk's mirror ended in an I/O
      // error, the guest ran on, and libvirt's job waited for good (killing virsh did not end it; restarting libvirtd did)
      stillHeld: async () =>
        ` libvirt on ${ctx.sourceName} still holds the migration job (virsh domjobinfo ${ctx.domain}: "Outgoing migration"), so it cannot be moved or saved until that ends: restarting libvirtd there ends it, and the guest keeps running.`,
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
