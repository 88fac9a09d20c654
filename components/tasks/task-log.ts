import { isFinal, type JobSummary } from "@/lib/jobs/types";

// What the task log shows (components/tasks/task-bar.tsx), as pure functions: the rows a filter keeps, newest first,
// and the bar's own words.

export type TaskFilter = "all" | "running" | "failed" | "succeeded";

export function tasksShown(jobs: readonly JobSummary[], filter: TaskFilter, onlyOf: string | null): JobSummary[] {
  return jobs
    .filter((j) => !onlyOf || j.createdBy === onlyOf)
    .filter((j) =>
      filter === "all"
        ? true
        : filter === "running"
          ? !isFinal(j.status)
          : filter === "failed"
            ? j.status === "failed" || j.status === "interrupted" || j.status === "cancelled"
            : j.status === "succeeded",
    )
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** "Tasks · 2 running", "Tasks · 1 failed today", "Tasks". */
export function barWords(jobs: readonly JobSummary[]): string {
  const running = jobs.filter((j) => !isFinal(j.status)).length;
  const failed = jobs.filter((j) => j.status === "failed" || j.status === "interrupted").length;
  const parts = [running ? `${running} running` : "", failed ? `${failed} failed` : ""].filter(Boolean);
  return parts.length ? `Tasks · ${parts.join(", ")}` : "Tasks";
}
