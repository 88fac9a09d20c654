import { isFinal, type JobSummary } from "@/lib/jobs/types";

/** How long a finished job keeps its card on the Cluster page. */
export const FINISHED_CARD_MS = 10 * 60_000;

/**
 * Which job cards the Cluster page shows: every running job, then finished ones — only those this page watched run
 * or this tab started (the rest are in the task log), not dismissed, ended in the last ten minutes — up to four cards.
 */
export function shownJobs(
  jobs: JobSummary[],
  seen: { watched: ReadonlySet<string>; startedInTab: ReadonlySet<string>; dismissed: ReadonlySet<string> },
  now: number,
): JobSummary[] {
  const running = jobs.filter((j) => !isFinal(j.status));
  return [
    ...running,
    ...jobs
      .filter(
        (j) =>
          isFinal(j.status) &&
          (seen.watched.has(j.id) || seen.startedInTab.has(j.id)) &&
          !seen.dismissed.has(j.id) &&
          now - Date.parse(j.finishedAt ?? j.createdAt) < FINISHED_CARD_MS,
      )
      .slice(0, Math.max(0, 4 - running.length)),
  ];
}
