"use client";
import { useEffect, useRef, useState } from "react";
import { isFinal, type JobSummary } from "@/lib/jobs/types";
import { startedHere } from "../jobs/api";
import { JobCard } from "../jobs/job-card";
import { useStored } from "../ui/use-stored";
import { shownJobs } from "./shown-jobs";

const readIds = (kept: unknown) =>
  Array.isArray(kept) ? kept.filter((x): x is string => typeof x === "string").slice(-200) : null;

/**
 * The Cluster page's job cards: what runs, and what ended while this page watched or this tab started it (the rest
 * are in the task log at the bottom, not piling up here). One row that scrolls sideways: however many jobs run,
 * the hosts stay where the eye expects them. A dismissed card stays dismissed in this browser.
 */
export function JobStrip({ jobs, canCancel }: { jobs: JobSummary[]; canCancel: boolean }) {
  const [dismissed, setDismissed] = useStored<string[]>("ferry.dismissedJobs", [], readIds);
  const watched = useRef(new Set<string>());
  for (const j of jobs) if (!isFinal(j.status)) watched.current.add(j.id);
  const [startedInTab, setStartedInTab] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setStartedInTab(startedHere()), []);
  const shown = shownJobs(jobs, { watched: watched.current, startedInTab, dismissed: new Set(dismissed) }, Date.now());
  if (!shown.length) return null;
  return (
    <section className="mb-5 flex gap-3 overflow-x-auto pb-1" aria-label="jobs" data-testid="job-cards">
      {shown.map((j) => (
        <div key={j.id} className="w-[min(20rem,85vw)] shrink-0">
          <JobCard job={j} canCancel={canCancel} onDismiss={() => setDismissed([...dismissed, j.id].slice(-200))} />
        </div>
      ))}
    </section>
  );
}
