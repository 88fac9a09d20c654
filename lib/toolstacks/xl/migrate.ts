import type { JobPhase } from "../events";
import { phaseIndex } from "../events";
import type { CommandRunner } from "../types";
import type { MigrationContext } from "../types";
import type { MigrationOutcome } from "../events";
import { phaseOfLine, reloadProgressOf } from "./migrate-lines";
import * as cmd from "./commands";
import { hostArgv, routeDevice } from "../linux/host-commands";
import { locateOnBoth, lostSessionOutcome, settlePatienceMs } from "../locate";
import { errorOfLines } from "./errors";
import { baseDomainName, parseXlList, type XlListRow } from "./parse-list";

// Runs `xl migrate <dom> <target>` on the source and watches it from outside, since xl prints no
// progress: handshake lines → phases; both ends' `xl list` → suspension and activation times;
// the source NIC's tx_bytes on the route to the target → bytes sent and throughput.
// Downtime = target running − source suspended, as measured by the polls.

export type XlMigrationContext = MigrationContext;
export type { MigrationOutcome };

export async function migrateXl(ctx: XlMigrationContext): Promise<MigrationOutcome> {
  const setPhase = (phase: JobPhase) => {
    if (phaseIndex(phase) > phaseIndex(ctx.phase())) ctx.emit({ type: "phase", phase, payload: {} });
  };
  const dev = await routeDevice(ctx.source, ctx.targetAddress);
  const readTx = async () =>
    dev ? Number((await ctx.source.exec(hostArgv.txBytes(dev), { timeoutMs: 5_000 })).stdout.trim()) : NaN;
  const tx0 = await readTx().catch(() => NaN);
  const t0 = Date.now();
  const lines: string[] = [];
  let suspendedAt: number | null = null;
  let lastRunningAt: number | null = null;
  let targetRunningAt: number | null = null;
  let lastTx = tx0;
  let lastTxAt = t0;
  let done = false;

  const poll = async () => {
    while (!done) {
      const started = Date.now();
      const [src, dst, tx] = await Promise.all([listRows(ctx.source), listRows(ctx.target), readTx().catch(() => NaN)]);
      const now = Date.now();
      const s = src?.find((r) => baseDomainName(r.name) === ctx.domain);
      if (s && (s.stateLetters === "---ss-" || s.name.endsWith("--migratedaway"))) {
        suspendedAt ??= now;
        setPhase("stop-and-copy");
      } else if (s && !suspendedAt) lastRunningAt = now;
      const d = dst?.find((r) => r.name === ctx.domain);
      if (d && /^[r-][b-]-{4}$/.test(d.stateLetters)) targetRunningAt ??= now;
      if (Number.isFinite(tx) && Number.isFinite(tx0)) {
        const throughput = now > lastTxAt ? ((tx - lastTx) * 1000) / (now - lastTxAt) : 0;
        ctx.emit({
          type: "sample",
          phase: ctx.phase(),
          payload: { bytesSent: tx - tx0, throughputBps: Math.max(0, Math.round(throughput)), elapsedMs: now - t0 },
        });
        lastTx = tx;
        lastTxAt = now;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, ctx.pollMs - (Date.now() - started))));
    }
  };
  const polling = poll();

  let code: number | null = null;
  let lost: unknown = null;
  try {
    const r = await ctx.source.exec(cmd.xlMigrate(ctx.domain, ctx.targetAddress), {
      timeoutMs: 6 * 3600_000,
      interrupt: ctx.cancel,
      onStderrLine: (line) => {
        lines.push(line);
        ctx.emit({ type: "log", phase: ctx.phase(), payload: { line } });
        const p = phaseOfLine(line);
        if (p && p !== "done") setPhase(p);
        // an older xl's receiver reports the pages it reloaded: progress where the NIC counter is not readable
        const reload = reloadProgressOf(line);
        if (reload && !dev)
          ctx.emit({
            type: "sample",
            phase: ctx.phase(),
            payload: { bytesSent: reload.done * 4096, throughputBps: 0, elapsedMs: Date.now() - t0 },
          });
      },
    });
    code = r.code;
  } catch (e) {
    lost = e;
  }
  done = true;
  await polling;

  if (code === 0) {
    // the last polls may have missed the target's first running moment by < pollMs: take one more look
    targetRunningAt ??= Date.now();
    const start = suspendedAt ?? lastRunningAt;
    if (start)
      ctx.emit({
        type: "downtime",
        phase: "activation",
        payload: { ms: Math.max(0, targetRunningAt - start), upperBound: suspendedAt === null },
      });
  }
  const location = await locate(ctx, settlePatienceMs(ctx, Boolean(lost)));
  if (lost) return lostSessionOutcome(ctx, lost, location);
  if (code === 0) return { status: "succeeded", errorCode: null, errorMessage: null, location };
  if (ctx.cancel.aborted && location.host === ctx.sourceName) {
    return {
      status: "cancelled",
      errorCode: "migrate_cancelled",
      errorMessage: "Cancelled before the point of no return; the domain kept running on the source.",
      location,
    };
  }
  const err = errorOfLines(lines);
  return { status: "failed", errorCode: err.code, errorMessage: err.message, location };
}

async function listRows(runner: CommandRunner): Promise<XlListRow[] | null> {
  try {
    const r = await runner.exec(cmd.xlList(), { timeoutMs: 5_000 });
    return r.code === 0 ? parseXlList(r.stdout) : null;
  } catch {
    return null;
  }
}

/** Where the domain runs now: settled means under its own name, past the handshake (not ---ss-). */
export function locate(
  ctx: Pick<XlMigrationContext, "source" | "target" | "sourceName" | "targetName" | "domain">,
  patienceMs: number,
): Promise<{ host: string | null; note: string }> {
  return locateOnBoth(ctx, patienceMs, async (runner) => {
    const rows = await listRows(runner);
    if (!rows) return undefined;
    const r = rows.find((x) => baseDomainName(x.name) === ctx.domain);
    return r ? { id: r.id, settled: r.name === ctx.domain && r.stateLetters !== "---ss-", shown: r.name } : null;
  });
}
