import type { Db } from "../db/client";
import { AppError } from "../errors";
import { summaryOf } from "./store";
import { isFinal, phaseIndex, type JobStatus, type JobSummary } from "./types";

// Waiting on other jobs (one room of lib/jobs/engine.ts): until a job has ended (whenFinished), or until it has left
// the link (whenOffTheLink) — what a migration that follows others onto a link waits for (MigrateRequest.after: an
// evacuation's next move checks while the move before it transfers, lib/evacuate/runner.ts). A job this process runs
// is followed by its summaries; one another instance runs, by its row.

/** Where the engine's summaries come from, and the jobs it runs now. */
export interface JobWatchSource {
  db: Db;
  summaries: {
    on(event: "summary", f: (s: JobSummary) => void): unknown;
    off(event: "summary", f: (s: JobSummary) => void): unknown;
  };
  /** the summary of a job this process runs, if it runs it */
  live(jobId: string): JobSummary | null;
  /** several instances: a job another instance runs ends there, and only its row says so */
  rowsTell: boolean;
}

/** The jobs a migration follows onto the link (MigrateRequest.after, kept in its row's options): none for most. */
export function jobsAhead(row: { optionsJson: string | null }): { id: string; domain: string }[] {
  return (JSON.parse(row.optionsJson ?? "{}").after as { id: string; domain: string }[] | undefined) ?? [];
}

/** A job has left the link once its memory is sent (commitment or later) or it has ended. */
export const offTheLink = (s: JobSummary) => isFinal(s.status) || phaseIndex(s.phase) >= phaseIndex("commitment");

/** Resolves with the first summary of `jobId` that `done` accepts (a job no longer in this process: its row's). */
function whenJob(
  src: JobWatchSource,
  jobId: string,
  done: (s: JobSummary) => boolean,
  signal?: AbortSignal,
): Promise<JobSummary> {
  return new Promise((resolve, reject) => {
    let poll: NodeJS.Timeout | null = null;
    const end = () => {
      src.summaries.off("summary", on);
      if (poll) clearInterval(poll);
      signal?.removeEventListener("abort", abort);
    };
    const settle = (s: JobSummary) => {
      end();
      resolve(s);
    };
    const abort = () => {
      end();
      reject(new AppError("aborted", "Cancelled while waiting for another job."));
    };
    const on = (s: JobSummary) => {
      if (s.id === jobId && done(s)) settle(s);
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener("abort", abort, { once: true });
    src.summaries.on("summary", on);
    const look = () => {
      const live = src.live(jobId);
      if (live) {
        if (done(live)) settle(live);
        return;
      }
      void src.db.job.findUnique({ where: { id: jobId } }).then((row) => {
        if (row && !src.live(jobId) && (isFinal(row.status as JobStatus) || done(summaryOf(row))))
          settle(summaryOf(row));
      });
    };
    look();
    if (src.rowsTell) poll = setInterval(look, 1_000);
  });
}

/** The job's summary once it has ended (at once if it already has). */
export function whenFinished(src: JobWatchSource, jobId: string): Promise<JobSummary> {
  return whenJob(src, jobId, (s) => isFinal(s.status));
}

/** Resolves once every job in `jobIds` has left the link; rejects ("aborted") when `signal` is. */
export async function whenOffTheLink(src: JobWatchSource, jobIds: readonly string[], signal: AbortSignal) {
  await Promise.all(jobIds.map((id) => whenJob(src, id, offTheLink, signal)));
}
