import type { JobInfoPayload } from "./types";

// A pre-copy that stops making progress is not left to run unattended (KubeVirt's stall detector does the
// same): the job page warns as soon as remaining memory stops shrinking (rounds.ts), and after the stated
// time without progress the engine acts as chosen at launch — abort, or switch to post-copy if allowed.

/** Ferry's default when the operator states none: two minutes without progress, then abort. */
export const DEFAULT_STALL_AFTER_SEC = 120;

export interface StallPolicy {
  afterMs: number;
  action: "abort" | "postcopy";
}

export function stallPolicyOf(o: { onStall?: "abort" | "postcopy"; stallAfterSec?: number } | undefined): StallPolicy {
  return { afterMs: (o?.stallAfterSec ?? DEFAULT_STALL_AFTER_SEC) * 1000, action: o?.onStall ?? "abort" };
}

const MiB = 1024 * 1024;

/**
 * Progress is remaining memory falling below nine tenths of its lowest value so far (the first pass always
 * progresses). `feed` returns the reason once, when the policy's time has passed without progress.
 */
export class StallWatch {
  private best = Number.POSITIVE_INFINITY;
  private bestAt: number | null = null;
  private fired = false;

  constructor(
    private readonly policy: StallPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  feed(p: JobInfoPayload): string | null {
    if (this.fired || p.final || p.memoryRemaining === null) return null;
    const t = this.now();
    if (this.bestAt === null || p.memoryRemaining < this.best * 0.9) {
      this.best = Math.min(this.best, p.memoryRemaining);
      this.bestAt = t;
      return null;
    }
    this.best = Math.min(this.best, p.memoryRemaining);
    if (t - this.bestAt < this.policy.afterMs) return null;
    this.fired = true;
    return `Pre-copy made no progress for ${Math.round((t - this.bestAt) / 1000)} s: remaining memory has stayed at ${(this.best / MiB).toFixed(0)}–${(p.memoryRemaining / MiB).toFixed(0)} MiB (round ${p.iteration ?? "?"}).`;
  }
}
