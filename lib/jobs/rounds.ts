import type { JobInfoPayload } from "./types";

// Pre-copy round by round, from libvirt's domjobinfo polls (QEMU's dirty-sync-count is the round),
// and whether it converges: remaining memory must shrink from round to round.

export interface Round {
  round: number;
  remainingBytes: number;
  processedBytes: number;
  /** bytes/s the guest dirties (pages/s × page size) */
  dirtyBps: number;
  bandwidthBps: number;
  expectedDowntimeMs: number | null;
  throttlePercent: number | null;
}

/** The last poll of each round (polls come every 500 ms; a round may span several or none). */
export function roundsOf(polls: readonly JobInfoPayload[]): Round[] {
  const byRound = new Map<number, Round>();
  for (const p of polls) {
    if (p.final || p.iteration === null || p.memoryRemaining === null) continue;
    byRound.set(p.iteration, {
      round: p.iteration,
      remainingBytes: p.memoryRemaining,
      processedBytes: p.memoryProcessed ?? 0,
      dirtyBps: (p.dirtyPagesPerSec ?? 0) * (p.pageSize ?? 4096),
      bandwidthBps: p.bandwidthBps ?? 0,
      expectedDowntimeMs: p.expectedDowntimeMs,
      throttlePercent: p.throttlePercent,
    });
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

export type Convergence =
  | { state: "too-early"; reason: string }
  | { state: "converging"; reason: string }
  | { state: "not-converging"; reason: string };

const MiB = 1024 * 1024;
const mib = (b: number) => `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MiB`;

/**
 * Not converging: over the last `window` rounds remaining memory shrank by less than 10 %. The reason
 * says what the guest dirties against what the link carries, in numbers.
 */
export function convergenceOf(rounds: readonly Round[], window = 3): Convergence {
  if (rounds.length < window)
    return { state: "too-early", reason: `${rounds.length} round${rounds.length === 1 ? "" : "s"} so far.` };
  const last = rounds.slice(-window);
  const first = last[0];
  const now = last.at(-1)!;
  const shrinking = now.remainingBytes < first.remainingBytes * 0.9;
  const rates =
    now.bandwidthBps > 0
      ? ` The guest dirties ${mib(now.dirtyBps)}/s; the link carries ${mib(now.bandwidthBps)}/s.`
      : "";
  if (shrinking)
    return {
      state: "converging",
      reason: `Remaining memory fell from ${mib(first.remainingBytes)} to ${mib(now.remainingBytes)} over rounds ${first.round}–${now.round}.${rates}`,
    };
  return {
    state: "not-converging",
    reason: `Remaining memory has not shrunk over rounds ${first.round}–${now.round} (${mib(first.remainingBytes)} → ${mib(now.remainingBytes)}): pre-copy is not converging.${rates}`,
  };
}
