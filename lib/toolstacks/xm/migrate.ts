import type { DomainLocation, MigrationOutcome } from "../events";
import { locateOnBoth, lostSessionOutcome, settlePatienceMs } from "../locate";
import type { CommandRunner, LocateContext, MigrationContext } from "../types";
import { NicSampler, OutsideDowntime, phaseSetter, pollEvery, sharedOutcome } from "../watch";
import * as cmd from "./commands";
import { migrateErrorOf } from "./errors";
import { parseXendConfig, parseXendLog, parseXmList, type XendRound, type XmListRow } from "./parse";

// `xm migrate --live <dom> <target>` (xm/migrate.py → xend's domain_migrate → the target's relocation server,
// TCP 8002, or 8003 with SSL). xm prints nothing until it ends; xend writes libxc's pre-copy loop to
// /var/log/xen/xend.log, one record per round (XendCheckpoint logs xc_save's stderr). Ferry reads the log's new
// bytes at each poll and reports each round as it is written: Xen's own rounds. Downtime is measured from outside
// as for xl (source suspended → target running, by both ends' `xm list`); bytes on the wire from the source NIC.

const PAGE = 4096;
/** libxc prints megabits per second */
const MBIT = 125_000;

export async function migrateXm(ctx: MigrationContext): Promise<MigrationOutcome> {
  const setPhase = phaseSetter(ctx);
  const cfgR = await ctx.target.exec(cmd.xendConfig(), { timeoutMs: 5_000 }).catch(() => null);
  const cfg = parseXendConfig(cfgR?.code === 0 ? cfgR.stdout : "");
  const ssl = cfg.sslServer;
  const port = ssl ? cfg.sslPort : cfg.port;
  const logSize = async (runner: CommandRunner) => {
    const r = await runner.exec(cmd.xendLogSize(), { timeoutMs: 5_000 }).catch(() => null);
    return r?.code === 0 ? Number(/^\s*(\d+)/.exec(r.stdout)?.[1] ?? Number.NaN) : Number.NaN;
  };
  // both logs from here on: the source's has the rounds, the target's why it refused or failed
  const [offset, targetOffset] = await Promise.all([logSize(ctx.source), logSize(ctx.target)]);
  let logText = "";
  const readLog = async () => {
    if (!Number.isFinite(offset)) return;
    const r = await ctx.source.exec(cmd.xendLogFrom(offset), { timeoutMs: 5_000 }).catch(() => null);
    if (r?.code === 0) logText = r.stdout;
  };
  const nic = await NicSampler.open(ctx);
  const memoryBytes = await domainMemoryBytes(ctx.source, ctx.domain);
  const downtime = new OutsideDowntime();
  let reported = 0;

  const reportRounds = () => {
    const log = parseXendLog(logText);
    // a round is complete once its statistics line is there (the record is written at the round's end)
    const complete = log.rounds.filter((r) => r.sent > 0 || r.last);
    let processed = 0;
    for (const r of complete) {
      processed += r.sent * PAGE;
      if (r.round <= reported) continue;
      reported = r.round;
      setPhase(r.last ? "stop-and-copy" : "precopy");
      ctx.emit({
        type: "jobinfo",
        phase: ctx.phase(),
        payload: roundPayload(r, processed, memoryBytes, nic.elapsedMs()),
      });
    }
    if (log.suspended) setPhase("stop-and-copy");
  };

  const polling = pollEvery(ctx.pollMs, async () => {
    const [src, dst, tx] = await Promise.all([listRows(ctx.source), listRows(ctx.target), nic.read(), readLog()]);
    const now = Date.now();
    reportRounds();
    const s = src?.find((r) => r.name === ctx.domain && r.id !== null);
    const suspended = s?.stateLetters[3] === "s";
    if (s) downtime.sawSource(suspended, now);
    if (suspended) setPhase("stop-and-copy");
    const d = dst?.find((r) => r.name === ctx.domain && r.id !== null);
    if (d && downtime.suspended && /^[r-][b-]-{4}$/.test(d.stateLetters)) downtime.sawTargetRunning(now);
    nic.sample(tx, now);
    // xend logs a round only at its end, and the first sends all of memory: until then the bytes on the wire say
    // pre-copy has begun (more than the polls' own traffic: a hundredth of the memory, at least 1 MiB)
    if (nic.sentSince(tx) > Math.max(1048576, (memoryBytes ?? 0) / 100)) setPhase("precopy");
  });
  const lines: string[] = [];
  let code: number | null = null;
  let lost: unknown = null;
  try {
    const r = await ctx.source.exec(cmd.xmMigrate(ctx.domain, ctx.targetAddress, port, ssl), {
      timeoutMs: 6 * 3600_000,
      interrupt: ctx.cancel,
      onStderrLine: (line) => {
        lines.push(line);
        ctx.emit({ type: "log", phase: ctx.phase(), payload: { line } });
      },
    });
    code = r.code;
  } catch (e) {
    lost = e;
  }
  await polling.stop();
  await readLog();
  reportRounds();
  if (code === 0) {
    setPhase("commitment");
    setPhase("activation");
    downtime.emit(ctx);
  }
  const location = await locate(ctx, settlePatienceMs(ctx, Boolean(lost)));
  if (lost) return lostSessionOutcome(ctx, lost, location);
  const shared = sharedOutcome(ctx, { code, tool: "xm migrate", location });
  if (shared) return shared;
  // xm's own line says little ("xc_save … failed"): the target's log says whether it turned the source away or
  // could not take the domain
  const targetLog = Number.isFinite(targetOffset)
    ? await ctx.target.exec(cmd.xendLogFrom(targetOffset), { timeoutMs: 5_000 }).catch(() => null)
    : null;
  const there = parseXendLog(targetLog?.code === 0 ? targetLog.stdout : "");
  const rejected = there.rejected;
  const saved = parseXendLog(logText);
  const err = migrateErrorOf([
    ...(rejected ? [`Rejected connection from ${rejected}`] : []),
    ...there.errors,
    ...lines,
    ...saved.errors,
  ]);
  const why = rejected
    ? ` ${ctx.targetName}'s xend turned the connection from ${rejected} away: add the source to its xend-relocation-hosts-allow.`
    : there.errors.length
      ? ` xend.log on ${ctx.targetName}: ${there.errors.at(-1)}.`
      : saved.errors.length
        ? ` xend.log on ${ctx.sourceName}: ${saved.errors.at(-1)}.`
        : "";
  return { status: "failed", errorCode: err.code, errorMessage: `${err.message}${why}`, location };
}

/** One round as the job page's rounds view reads it (the same payload libvirt's domjobinfo polls fill). */
function roundPayload(r: XendRound, processedBytes: number, memoryBytes: number | null, elapsedMs: number) {
  return {
    final: false,
    iteration: r.round,
    elapsedMs,
    memoryProcessed: processedBytes,
    // what this round left dirty is what the next round sends
    memoryRemaining: r.last ? 0 : (r.dirtyPages ?? 0) * PAGE,
    memoryTotal: memoryBytes,
    bandwidthBps: r.sentMbps === null ? null : r.sentMbps * MBIT,
    dirtyPagesPerSec: r.dirtiedMbps === null ? null : (r.dirtiedMbps * MBIT) / PAGE,
    pageSize: PAGE,
    expectedDowntimeMs: null,
    totalDowntimeMs: null,
    throttlePercent: null,
    source: "Xen's libxc, from xend.log",
    pagesSent: r.sent,
    pagesSkipped: r.skipped,
    percent: r.percent,
  };
}

async function domainMemoryBytes(runner: CommandRunner, domain: string): Promise<number | null> {
  const rows = await listRows(runner);
  const row = rows?.find((r) => r.name === domain);
  return row ? row.memoryMiB * 1024 * 1024 : null;
}

async function listRows(runner: CommandRunner): Promise<XmListRow[] | null> {
  try {
    const r = await runner.exec(cmd.xmList(), { timeoutMs: 5_000 });
    return r.code === 0 ? parseXmList(r.stdout) : null;
  } catch {
    return null;
  }
}

/** Where the domain runs now (xend lists the incoming copy under the same name, paused, while it arrives). */
export function locate(ctx: LocateContext, patienceMs: number): Promise<DomainLocation> {
  return locateOnBoth(ctx, patienceMs, async (runner) => {
    const rows = await listRows(runner);
    if (!rows) return undefined;
    const r = rows.find((x) => x.name === ctx.domain && x.id !== null);
    return r ? { id: r.id, settled: !/[ps]/.test(r.stateLetters.slice(2, 4)), shown: r.stateLetters } : null;
  });
}
