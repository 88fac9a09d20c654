import type { JobSummary } from "./types";

// History figures and CSV: pure functions of job summaries.

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function historyFigures(jobs: JobSummary[]) {
  const finished = jobs.filter((j) => ["succeeded", "failed", "cancelled", "interrupted"].includes(j.status));
  const ok = finished.filter((j) => j.status === "succeeded");
  // a live migration's downtime and a move's outage (the whole save → restore) are kept apart: seconds of outage
  // among milliseconds of downtime would make the downtime figures say nothing
  const stillFor = (kind: JobSummary["kind"]) =>
    ok
      .filter((j) => j.kind === kind)
      .map((j) => j.downtimeMs)
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
  const downtimes = stillFor("migrate");
  return {
    count: jobs.length,
    finished: finished.length,
    successRate: finished.length ? ok.length / finished.length : null,
    medianDowntimeMs: percentile(downtimes, 50),
    p95DowntimeMs: percentile(downtimes, 95),
    medianMoveOutageMs: percentile(stillFor("move"), 50),
  };
}

/** Where a job went, in a History row: a save stays on its host. */
export function routeText(j: Pick<JobSummary, "kind" | "sourceName" | "targetName">): string {
  return j.kind === "save" || !j.targetName ? `on ${j.sourceName}` : `${j.sourceName} → ${j.targetName}`;
}

/** The bytes a job sent, in a History row: a restore or move that copied nothing (shared storage) says so. */
export function bytesText(j: Pick<JobSummary, "kind" | "bytesSent">, format: (n: number) => string): string {
  if (j.bytesSent === 0 && (j.kind === "restore" || j.kind === "move")) return "no copy";
  return format(j.bytesSent);
}

export function durationMs(j: JobSummary): number | null {
  return j.startedAt && j.finishedAt ? Date.parse(j.finishedAt) - Date.parse(j.startedAt) : null;
}

const CSV_COLUMNS = [
  "id",
  "kind",
  "domain",
  "source",
  "target",
  "who",
  "created",
  "started",
  "finished",
  "duration_ms",
  "downtime_ms",
  "downtime_is_upper_bound",
  "bytes_sent",
  "forecast_ms",
  "forecast_downtime_ms",
  "outcome",
  "error_code",
  "error",
  "location",
] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  // a leading = + - @ would be a formula in a spreadsheet: prefix it (CSV injection)
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function jobsToCsv(jobs: JobSummary[]): string {
  const rows = jobs.map((j) => [
    j.id,
    j.kind,
    j.domainName,
    j.sourceName,
    j.targetName,
    j.createdBy,
    j.createdAt,
    j.startedAt,
    j.finishedAt,
    durationMs(j),
    j.downtimeMs,
    j.downtimeBound,
    j.bytesSent,
    j.forecast ? Math.round(j.forecast.totalMs) : null,
    j.forecast ? Math.round(j.forecast.downtimeMs) : null,
    j.status,
    j.errorCode,
    j.errorMessage,
    j.locationNote,
  ]);
  return `${[CSV_COLUMNS.join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\r\n")}\r\n`;
}
