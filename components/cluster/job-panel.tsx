"use client";
import { useEffect, useRef, useState } from "react";
import { isFinal, type JobSummary } from "@/lib/jobs/types";
import { startedHere } from "../jobs/api";
import { JobCard } from "../jobs/job-card";
import { useStored } from "../ui/use-stored";
import { shownJobs } from "./shown-jobs";

const readIds = (kept: unknown) =>
  Array.isArray(kept) ? kept.filter((x): x is string => typeof x === "string").slice(-200) : null;
const readFlag = (kept: unknown) => (typeof kept === "boolean" ? kept : null);

/**
 * The Cluster page's job cards: what runs, and what ended while this page watched or this tab started it (the rest
 * are in the task log at the bottom, not piling up here). They float in a panel at the bottom left, above the task
 * bar, so the hosts never move when a job starts or ends (a strip above the hosts pushed them down just as the
 * operator let go of a card); the panel folds to its title, and fades while a card is dragged so the hosts behind
 * it show. A dismissed card stays dismissed in this browser, a folded panel stays folded.
 */
export function JobPanel({ jobs, canCancel, dragging }: { jobs: JobSummary[]; canCancel: boolean; dragging: boolean }) {
  const [dismissed, setDismissed] = useStored<string[]>("ferry.dismissedJobs", [], readIds);
  const [folded, setFolded] = useStored<boolean>("ferry.jobPanelFolded", false, readFlag);
  const watched = useRef(new Set<string>());
  for (const j of jobs) if (!isFinal(j.status)) watched.current.add(j.id);
  const [startedInTab, setStartedInTab] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setStartedInTab(startedHere()), []);
  const shown = shownJobs(jobs, { watched: watched.current, startedInTab, dismissed: new Set(dismissed) }, Date.now());
  if (!shown.length) return null;
  const running = shown.filter((j) => !isFinal(j.status)).length;
  return (
    <section
      className={`fixed bottom-12 left-3 z-20 flex max-h-[40vh] w-[min(21rem,calc(100vw-1.5rem))] flex-col rounded-lg border border-slate-200 bg-slate-50 shadow-lg transition-opacity sm:max-h-[55vh] ${dragging ? "pointer-events-none opacity-25" : ""}`}
      aria-label="jobs"
      data-testid="job-cards"
    >
      <div className="flex items-center justify-between gap-2 px-3 py-1.5">
        <h2 className="text-sm font-semibold" data-testid="job-panel-title">
          Jobs ·{" "}
          {[running && `${running} running`, shown.length > running && `${shown.length - running} ended`]
            .filter(Boolean)
            .join(", ")}
        </h2>
        <button
          type="button"
          className="rounded px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-200"
          aria-expanded={!folded}
          aria-controls="job-panel-cards"
          onClick={() => setFolded(!folded)}
          data-testid="job-panel-fold"
        >
          {folded ? "▴ Show" : "▾ Hide"}
        </button>
      </div>
      {!folded && (
        <div id="job-panel-cards" className="flex flex-col gap-2 overflow-y-auto px-2 pb-2">
          {shown.map((j) => (
            <JobCard
              key={j.id}
              job={j}
              canCancel={canCancel}
              onDismiss={() => setDismissed([...dismissed, j.id].slice(-200))}
            />
          ))}
        </div>
      )}
    </section>
  );
}
