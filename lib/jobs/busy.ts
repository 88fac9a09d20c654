import { AppError } from "../errors";
import { kindWords, type JobKind } from "./types";

// What an operator hears when a domain already has a job: whose job, what it does, and where to find it — never a
// bare id. The refusal (409) carries the job's id as detail, so a page can link to it; the check says the same.

export interface HoldingJob {
  id: string;
  kind: JobKind;
  domainName: string;
  sourceName: string;
  targetName: string | null;
  createdBy: string;
}

/** "alice's live migration of web1 (hostA → hostB) is still working on it." */
export function busySentence(job: HoldingJob): string {
  const path = job.targetName && job.kind !== "save" ? `${job.sourceName} → ${job.targetName}` : `on ${job.sourceName}`;
  return `${job.createdBy}'s ${kindWords[job.kind]} of ${job.domainName} (${path}) is still working on it: wait for it to end, or open it to cancel it.`;
}

/** The refusal of a second job on a domain; `job` is null when the holder's row could not be read. */
export function busyError(domainName: string, job: HoldingJob | null): AppError {
  if (!job) return new AppError("conflict", `Another job is already working on ${domainName}: wait for it to end.`);
  return new AppError("conflict", busySentence(job), { jobId: job.id });
}
