"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { isFinal, jobAbilities, kindWords, phaseLabel, type JobSummary } from "@/lib/jobs/types";
import { formatBytes, formatMs } from "@/lib/format-bytes";
import { cancelJob } from "./api";
import { remaining } from "@/lib/jobs/remaining";

const statusLook: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  checking: "bg-amber-100 text-amber-800",
  running: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-200 text-slate-700",
  interrupted: "bg-orange-100 text-orange-800",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusLook[status] ?? ""}`}
      data-testid="job-status"
      data-status={status}
    >
      {status}
    </span>
  );
}

/**
 * Live for as long as the job runs: a ticking clock without a server round trip. A running job's clock starts
 * after hydration: the server's "now" is not the browser's, and markup that differs is React's error #418.
 */
export function useElapsed(startedAt: string | null, finishedAt: string | null): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!startedAt || finishedAt) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [startedAt, finishedAt]);
  if (!startedAt) return null;
  if (finishedAt) return Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
  return now === null ? null : Math.max(0, now - Date.parse(startedAt));
}

/** "about 12 s left" while a job runs, from its forecast and its progress (lib/jobs/remaining.ts). */
export function RemainingText({
  job,
  elapsed,
  notConverging = false,
}: {
  job: JobSummary;
  elapsed: number | null;
  /** the job page's rounds say pre-copy is not converging: no "about … left" beside that */
  notConverging?: boolean;
}) {
  const r = remaining(job, elapsed, notConverging);
  if (!r) return null;
  return (
    <span data-testid="job-remaining" data-ms={Math.round(r.ms)} title={`estimated from the ${r.basis}`}>
      {" "}
      · {r.ms < 500 ? "finishing" : `about ${formatMs(Math.round(r.ms / 1000) * 1000)} left`}
    </span>
  );
}

/** The inline card on the Cluster page: phase, bytes against memory, elapsed, downtime at the end. */
export function JobCard({
  job,
  canCancel,
  onDismiss,
}: {
  job: JobSummary;
  canCancel: boolean;
  /** finished cards can be put away (the job stays in History) */
  onDismiss?: () => void;
}) {
  const elapsed = useElapsed(job.startedAt, job.finishedAt);
  const [error, setError] = useState<string | null>(null);
  const memory = job.memoryMiB * 1024 * 1024;
  // pre-copy resends dirtied pages, so bytes can pass the memory: a bar is full only when the job succeeded
  const pct = job.status === "succeeded" ? 100 : Math.min(99, (job.bytesSent / memory) * 100);
  const abilities = jobAbilities(job);
  const verb = job.kind === "save" || job.kind === "move" ? "written" : "sent";
  return (
    <div
      className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm"
      data-testid={`job-card-${job.domainName}`}
      data-kind={job.kind}
      data-job-id={job.id}
    >
      <div className="flex items-center justify-between gap-2">
        <Link
          href={`/jobs/${job.id}`}
          className="text-sm font-medium text-sky-800 hover:underline"
          data-testid="job-link"
        >
          {job.domainName}:{" "}
          {job.kind === "save"
            ? `save on ${job.sourceName}`
            : job.kind === "restore"
              ? `restore on ${job.targetName}`
              : `${job.sourceName} → ${job.targetName}`}
        </Link>
        <span className="flex items-center gap-1">
          <StatusBadge status={job.status} />
          {onDismiss && isFinal(job.status) && (
            <button
              type="button"
              onClick={onDismiss}
              className="rounded px-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
              aria-label={`Dismiss the card of ${job.domainName}'s ${kindWords[job.kind]} (it stays in History)`}
              data-testid="job-dismiss"
            >
              ×
            </button>
          )}
        </span>
      </div>
      <p className="mt-1 text-xs text-slate-600" data-testid="job-phase">
        {kindWords[job.kind]} · {phaseLabel(job.kind, job.phase)}
        {elapsed !== null && <> · {formatMs(elapsed)}</>}
        <RemainingText job={job} elapsed={elapsed} />
      </p>
      <div
        className="mt-2 h-2 overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={`${formatBytes(job.bytesSent)} sent of ${formatBytes(memory)} memory`}
      >
        {job.kind === "restore" && job.status === "running" ? (
          <div className="h-full w-full animate-pulse bg-sky-300" title="a restore prints no progress" />
        ) : (
          <div
            className={`h-full ${job.status === "failed" ? "bg-red-400" : job.status === "cancelled" || job.status === "interrupted" ? "bg-slate-400" : "bg-sky-600"}`}
            style={{ width: `${pct}%` }}
          />
        )}
      </div>
      <p className="mt-1 text-xs text-slate-600">
        {job.kind === "restore"
          ? `${formatBytes(memory)} to load`
          : `${formatBytes(job.bytesSent)} ${verb} of ${formatBytes(memory)} memory`}
        {job.downtimeMs !== null && (
          <>
            {" "}
            · downtime{" "}
            <b data-testid="job-downtime">
              {job.downtimeBound ? "≤ " : ""}
              {formatMs(job.downtimeMs)}
            </b>
          </>
        )}
      </p>
      {job.errorMessage && <p className="mt-1 text-xs text-red-700">{job.errorMessage}</p>}
      {job.locationNote && job.status !== "running" && (
        <p className="mt-1 text-xs text-slate-700" data-testid="job-location">
          {job.locationNote}
        </p>
      )}
      {canCancel && abilities.cancel && (
        <button
          type="button"
          className="mt-2 rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
          data-testid="job-cancel"
          onClick={() => cancelJob(job.id).catch((e: Error) => setError(e.message))}
        >
          Cancel
        </button>
      )}
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
