// How long a running job has left, from what was forecast at launch and the progress so far: early on the
// forecast speaks (a few percent of progress says little), then the progress takes over in proportion to
// how far it has come. Past its first round a pre-copy resends dirtied pages, so its bytes stop telling the
// distance: the forecast alone speaks, and a job past its forecast is "finishing", never a negative time.
import type { JobSummary } from "./types";

export interface Remaining {
  ms: number;
  /** what the figure rests on, for the tooltip */
  basis: "forecast" | "progress" | "forecast and progress";
}

/** Below this share of progress, or this elapsed time, the progress alone says nothing. */
const MIN_PROGRESS = 0.02;
const MIN_ELAPSED_MS = 1000;

export function remaining(
  job: Pick<JobSummary, "kind" | "status" | "phase" | "bytesSent" | "memoryMiB" | "forecast">,
  elapsedMs: number | null,
  /** the rounds say pre-copy is not converging: no time is given (it ends when something changes, not before) */
  notConverging = false,
): Remaining | null {
  if (job.status !== "running" || elapsedMs === null) return null;
  if (notConverging && job.kind === "migrate" && job.phase === "precopy") return null;
  const memory = job.memoryMiB * 1024 * 1024;
  const p = memory > 0 ? job.bytesSent / memory : 0;
  const byProgress = p >= MIN_PROGRESS && p < 1 && elapsedMs >= MIN_ELAPSED_MS ? (elapsedMs * (1 - p)) / p : null;
  if (job.kind === "save" || (job.kind === "move" && job.phase === "stop-and-copy"))
    return byProgress === null ? null : { ms: byProgress, basis: "progress" };
  if (job.kind !== "migrate") return null; // a restore prints no progress; a move's copy and restore neither
  const f = job.forecast;
  if (job.phase === "stop-and-copy" || job.phase === "commitment" || job.phase === "activation")
    return { ms: 0, basis: f ? "forecast" : "progress" };
  if (!f) return byProgress === null ? null : { ms: byProgress, basis: "progress" };
  const byForecast = Math.max(0, f.totalMs - elapsedMs);
  if (byProgress === null) return { ms: byForecast, basis: "forecast" };
  return { ms: (1 - p) * byForecast + p * byProgress, basis: "forecast and progress" };
}
