import type { CommandRunner, MigrationContext } from "../types";
import type { MigrationOutcome } from "../events";
import { NicSampler, OutsideDowntime, phaseSetter, pollEvery, sharedOutcome } from "../watch";
import { phaseOfLine, reloadProgressOf } from "./migrate-lines";
import * as cmd from "./commands";
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
  const setPhase = phaseSetter(ctx);
  const nic = await NicSampler.open(ctx);
  const downtime = new OutsideDowntime();
  const lines: string[] = [];

  const polling = pollEvery(ctx.pollMs, async () => {
    const [src, dst, tx] = await Promise.all([listRows(ctx.source), listRows(ctx.target), nic.read()]);
    const now = Date.now();
    const s = src?.find((r) => baseDomainName(r.name) === ctx.domain);
    const suspended = Boolean(s && (s.stateLetters === "---ss-" || s.name.endsWith("--migratedaway")));
    if (s) downtime.sawSource(suspended, now);
    if (suspended) setPhase("stop-and-copy");
    const d = dst?.find((r) => r.name === ctx.domain);
    if (d && /^[r-][b-]-{4}$/.test(d.stateLetters)) downtime.sawTargetRunning(now);
    nic.sample(tx, now);
  });

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
        if (reload && !nic.routed)
          ctx.emit({
            type: "sample",
            phase: ctx.phase(),
            payload: { bytesSent: reload.done * 4096, throughputBps: 0, elapsedMs: nic.elapsedMs() },
          });
      },
    });
    code = r.code;
  } catch (e) {
    lost = e;
  }
  await polling.stop();

  if (code === 0) downtime.emit(ctx);
  const location = await locate(ctx, settlePatienceMs(ctx, Boolean(lost)));
  if (lost) return lostSessionOutcome(ctx, lost, location);
  const shared = sharedOutcome(ctx, { code, tool: "xl migrate", location });
  if (shared) return shared;
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
