"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { isFinal, kindWords, type JobSummary } from "@/lib/jobs/types";
import { startedHere } from "./api";

interface Notice {
  id: string;
  ok: boolean;
  text: string;
}

/**
 * Says when a job ends: a notice for every job this browser started, and for any job that fails; the tab's
 * title counts the jobs running ("(2 running) Cluster · Ferry") so a background tab shows progress too.
 * The notices stand clear of the task bar and of the jobs panel (bottom left): at the bottom right on a wide
 * screen, at the top on a narrow one, where both would take the whole width at the bottom.
 */
export function JobNotices({ jobs, title }: { jobs: JobSummary[]; title: string }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const seen = useRef<Map<string, JobSummary["status"]> | null>(null);
  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(jobs.map((j) => [j.id, j.status]));
    if (!before) return; // the first picture: nothing has just ended
    const mine = startedHere();
    const ended = jobs.filter((j) => isFinal(j.status) && before.has(j.id) && !isFinal(before.get(j.id)!));
    const fresh = ended
      .filter((j) => mine.has(j.id) || j.status === "failed")
      .map((j) => ({
        id: j.id,
        ok: j.status === "succeeded",
        text: `${j.domainName}: ${kindWords[j.kind]} ${j.status}${j.locationNote ? ` — ${j.locationNote}` : ""}`,
      }));
    if (fresh.length) setNotices((n) => [...fresh, ...n].slice(0, 5));
  }, [jobs]);
  const running = jobs.filter((j) => !isFinal(j.status)).length;
  useEffect(() => {
    document.title = running ? `(${running} running) ${title}` : title;
  }, [running, title]);
  useEffect(() => {
    if (!notices.length) return;
    const t = setTimeout(() => setNotices((n) => n.slice(0, -1)), 12_000);
    return () => clearTimeout(t);
  }, [notices]);
  return (
    <div
      className="fixed top-3 right-3 z-40 flex md:top-auto md:bottom-12 w-[min(24rem,calc(100vw-1.5rem))] flex-col gap-2"
      data-testid="job-notices"
      role="status"
      aria-live="polite"
    >
      {notices.map((n) => (
        <div
          key={n.id}
          className={`rounded-md border px-3 py-2 text-sm shadow-lg ${n.ok ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-red-50 text-red-900"}`}
          data-testid="job-notice"
          data-ok={n.ok ? "true" : "false"}
        >
          <p>{n.text}</p>
          <div className="mt-1 flex gap-3 text-xs">
            <Link href={`/jobs/${n.id}`} className="underline">
              open the job
            </Link>
            <button
              type="button"
              className="underline"
              onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}
            >
              dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
