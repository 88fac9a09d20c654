import { phaseIndex, type JobPhase, type MigrationOutcome, type DomainLocation } from "./events";
import { hostArgv, routeDevice } from "./linux/host-commands";
import type { MigrationContext } from "./types";

// What every migration driver does while its toolstack's command runs, written once: phases only move forward, a
// poll loop at the job's pace, and the outcome every toolstack shares once the command ended and the domain was
// located. Xen's tools print no progress, so xl and xm also watch from outside: bytes on the wire from the source
// NIC, downtime from both ends' domain lists.

/** Moves the job's phase forward (never back: a late poll cannot undo a phase a line already reported). */
export function phaseSetter(ctx: Pick<MigrationContext, "emit" | "phase">): (phase: JobPhase) => void {
  return (phase) => {
    if (phaseIndex(phase) > phaseIndex(ctx.phase())) ctx.emit({ type: "phase", phase, payload: {} });
  };
}

/** Runs `tick` every `pollMs` (measured from each tick's start) until `stop()`, which waits for the running tick. */
export function pollEvery(pollMs: number, tick: () => Promise<void>): { stop(): Promise<void> } {
  let done = false;
  const loop = (async () => {
    while (!done) {
      const started = Date.now();
      await tick();
      if (done) break;
      await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (Date.now() - started))));
    }
  })();
  return {
    stop: () => {
      done = true;
      return loop;
    },
  };
}

/**
 * Bytes the source sent on its route to the target, from the NIC's tx counter (`ip route get`, then
 * /sys/class/net/DEV/statistics/tx_bytes): progress for toolstacks that print none. `routed` is false when the route
 * or counter could not be read; then `sample` emits nothing.
 */
export class NicSampler {
  private lastTx: number;
  private lastAt: number;

  private constructor(
    private readonly ctx: Pick<MigrationContext, "source" | "emit" | "phase">,
    private readonly dev: string | null,
    private readonly tx0: number,
    private readonly t0: number,
  ) {
    this.lastTx = tx0;
    this.lastAt = t0;
  }

  static async open(ctx: Pick<MigrationContext, "source" | "targetAddress" | "emit" | "phase">): Promise<NicSampler> {
    const dev = await routeDevice(ctx.source, ctx.targetAddress);
    const tx0 = dev ? await readTx(ctx, dev) : Number.NaN;
    return new NicSampler(ctx, dev, tx0, Date.now());
  }

  /** whether the route's device is known (a counter that cannot be read still leaves it known) */
  get routed(): boolean {
    return this.dev !== null;
  }

  /** ms since the sampler opened: the job's elapsed time for the samples */
  elapsedMs(now = Date.now()): number {
    return now - this.t0;
  }

  /** bytes the device sent since the sampler opened, for a counter read now (0 when either is unreadable) */
  sentSince(tx: number): number {
    return Number.isFinite(tx) && Number.isFinite(this.tx0) ? Math.max(0, tx - this.tx0) : 0;
  }

  /** the counter now (NaN when unreadable) */
  read(): Promise<number> {
    return this.dev ? readTx(this.ctx, this.dev) : Promise.resolve(Number.NaN);
  }

  /** emits a sample for a counter read at `now`: bytes since the start, throughput since the last sample */
  sample(tx: number, now: number): void {
    if (!Number.isFinite(tx) || !Number.isFinite(this.tx0)) return;
    const throughput = now > this.lastAt ? ((tx - this.lastTx) * 1000) / (now - this.lastAt) : 0;
    this.ctx.emit({
      type: "sample",
      phase: this.ctx.phase(),
      payload: {
        bytesSent: tx - this.tx0,
        throughputBps: Math.max(0, Math.round(throughput)),
        elapsedMs: now - this.t0,
      },
    });
    this.lastTx = tx;
    this.lastAt = now;
  }
}

async function readTx(ctx: Pick<MigrationContext, "source">, dev: string): Promise<number> {
  const r = await ctx.source.exec(hostArgv.txBytes(dev), { timeoutMs: 5_000 }).catch(() => null);
  return r?.code === 0 ? Number(r.stdout.trim()) : Number.NaN;
}

/**
 * Downtime measured from outside, by the polls of both ends' domain lists: from the source's suspension (or, when no
 * poll saw it suspended, its last running sighting: an upper bound) to the target's first running sighting.
 */
export class OutsideDowntime {
  private suspendedAt: number | null = null;
  private lastRunningAt: number | null = null;
  private targetRunningAt: number | null = null;

  get suspended(): boolean {
    return this.suspendedAt !== null;
  }

  /** the source's list showed the domain, suspended or not */
  sawSource(suspended: boolean, now: number): void {
    if (suspended) this.suspendedAt ??= now;
    else if (this.suspendedAt === null) this.lastRunningAt = now;
  }

  /** the target's list showed the domain running */
  sawTargetRunning(now: number): void {
    this.targetRunningAt ??= now;
  }

  /** after the command succeeded: emits the downtime (the last polls may have missed the target's first moment) */
  emit(ctx: Pick<MigrationContext, "emit">): void {
    const end = this.targetRunningAt ?? Date.now();
    const start = this.suspendedAt ?? this.lastRunningAt;
    if (start === null) return;
    ctx.emit({
      type: "downtime",
      phase: "activation",
      payload: { ms: Math.max(0, end - start), upperBound: this.suspendedAt === null },
    });
  }
}

/**
 * The outcome every toolstack shares once its command ended and the domain was located; null when the command failed
 * for a reason only the driver can put in words. A command that says it succeeded while the domain is not on the
 * target alone is not believed.
 */
export function sharedOutcome(
  ctx: Pick<MigrationContext, "cancel" | "sourceName" | "targetName">,
  ended: { code: number | null; tool: string; location: DomainLocation; cancelledWords?: string },
): MigrationOutcome | null {
  const { code, location } = ended;
  if (code === 0) {
    const arrived = location.host === ctx.targetName;
    return {
      status: arrived ? "succeeded" : "interrupted",
      errorCode: arrived ? null : "migrate_failed",
      errorMessage: arrived
        ? null
        : `${ended.tool} reported success, but the domain is not running on the target alone.`,
      location,
    };
  }
  if (ctx.cancel.aborted && location.host === ctx.sourceName)
    return {
      status: "cancelled",
      errorCode: "migrate_cancelled",
      errorMessage:
        ended.cancelledWords ?? "Cancelled before the point of no return; the domain kept running on the source.",
      location,
    };
  return null;
}
