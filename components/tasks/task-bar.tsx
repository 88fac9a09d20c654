"use client";
import { Alert } from "../ui/alert";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { LocalTime } from "../time";
import { kindWords, type JobSummary } from "@/lib/jobs/types";
import { barWords, type TaskFilter, tasksShown } from "./task-log";

// The task log, on every page: a bar at the bottom says what runs (and what failed) in the last day; opened, it lists
// the jobs — running and recent, whose, their status, a link to each — with a filter. The Cluster page's cards show
// only what runs (and what ended while the page watched); the log keeps the rest.

const DAY_MS = 24 * 3600_000;
const LIMIT = 100;

export function TaskBar({ me }: { me: string }) {
  const [jobs, setJobs] = useState<JobSummary[]>([]);
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState<TaskFilter>("all");
  const [mine, setMine] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    // a tab in the background asks nothing (it catches up when shown: the next tick)
    if (document.hidden) return;
    const from = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    try {
      setJobs((await api<{ jobs: JobSummary[] }>("GET", `/api/jobs?from=${from}&limit=${LIMIT}`)).jobs);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  // the bar's count every 10 s; the open log every 2 s
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), open ? 2_000 : 10_000);
    return () => clearInterval(t);
  }, [load, open]);
  // Escape closes the open log (unless a dialog above it takes the key first)
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented && !document.querySelector('[role="dialog"]')) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  const shown = tasksShown(jobs, filter, mine ? me : null);
  return (
    <div
      className="fixed inset-x-0 bottom-0 z-30 border-t border-slate-200 bg-white shadow-[0_-2px_6px_rgba(0,0,0,0.06)]"
      data-testid="task-bar"
    >
      {open && (
        <section
          id="task-log"
          aria-label="Task log"
          className="max-h-[45vh] overflow-y-auto px-3 pt-2 sm:px-6"
          data-testid="task-log"
        >
          <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
            <label className="text-xs text-slate-600">
              Show{" "}
              <select
                className="rounded border border-slate-300 px-1 py-0.5 text-sm"
                value={filter}
                onChange={(e) => setFilter(e.target.value as TaskFilter)}
                data-testid="task-filter"
              >
                <option value="all">all of the last day</option>
                <option value="running">running</option>
                <option value="failed">failed, interrupted or cancelled</option>
                <option value="succeeded">succeeded</option>
              </select>
            </label>
            <label className="flex items-center gap-1 text-xs text-slate-600">
              <input
                type="checkbox"
                checked={mine}
                onChange={(e) => setMine(e.target.checked)}
                data-testid="task-mine"
              />
              only mine
            </label>
            <Link href="/history" className="ml-auto text-xs text-sky-800 underline">
              All of History
            </Link>
          </div>
          {error && (
            <Alert tone="error" className="mb-2">
              {error}
            </Alert>
          )}
          {shown.length === 0 ? (
            <p className="pb-3 text-sm text-slate-600" data-testid="task-empty">
              No jobs {filter === "all" ? "" : `${filter} `}in the last day{mine ? " of yours" : ""}.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 pb-2 text-sm" data-testid="task-rows">
              {shown.map((j) => (
                <li
                  key={j.id}
                  className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 py-1.5"
                  data-testid={`task-${j.id}`}
                  data-status={j.status}
                >
                  <Link href={`/jobs/${j.id}`} className="font-medium text-sky-800 underline">
                    {j.domainName}: {kindWords[j.kind]}
                  </Link>
                  <span className="text-slate-600">
                    {j.kind === "save" || !j.targetName ? `on ${j.sourceName}` : `${j.sourceName} → ${j.targetName}`}
                  </span>
                  <span className={statusLook(j.status)} data-testid="task-status">
                    {j.status}
                  </span>
                  <span className="text-xs text-slate-500">
                    {j.createdBy} · <LocalTime iso={j.createdAt} />
                  </span>
                  {j.locationNote && <span className="basis-full text-xs text-slate-500">{j.locationNote}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <div className="flex items-center px-3 py-1.5 sm:px-6">
        <button
          type="button"
          className="rounded px-2 py-0.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
          aria-expanded={open}
          aria-controls="task-log"
          onClick={() => setOpen(!open)}
          data-testid="task-toggle"
        >
          {open ? "▾" : "▴"} {barWords(jobs)}
        </button>
      </div>
    </div>
  );
}

function statusLook(status: JobSummary["status"]): string {
  if (status === "succeeded") return "text-emerald-700";
  if (status === "failed" || status === "interrupted") return "text-red-700";
  if (status === "cancelled") return "text-slate-600";
  return "text-sky-700";
}
