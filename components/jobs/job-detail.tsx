"use client";
import { DiskCopyProgress } from "./disk-copy";
import { FileCopies } from "./file-copies";
import { Alert } from "@/components/ui/alert";
import { LocalTime } from "../time";
import Link from "next/link";
import { useState } from "react";
import { useJob } from "./use-job";
import { BytesChart } from "./bytes-chart";
import { RoundsView } from "./rounds-view";
import { forecastError } from "@/lib/forecast/model";
import { RemainingText, StatusBadge, useElapsed } from "./job-card";
import { cancelJob } from "./api";
import { domainHref } from "@/lib/domain-href";
import {
  jobAbilities,
  kindWords,
  phaseIndex,
  phaseLabel,
  phasesOf,
  type JobEvent,
  type JobSummary,
} from "@/lib/jobs/types";
import { formatMs } from "@/lib/format-bytes";
import { sentenceCase } from "@/lib/format";
import { figuresOf } from "@/lib/jobs/figures";
import { convergenceOf, roundsOf } from "@/lib/jobs/rounds";

export function JobDetail({ job, events, canCancel }: { job: JobSummary; events: JobEvent[]; canCancel: boolean }) {
  const { view, connected } = useJob(job, events);
  const s = view.summary;
  const elapsed = useElapsed(s.startedAt, s.finishedAt);
  const [error, setError] = useState<string | null>(null);
  const memory = s.memoryMiB * 1024 * 1024;
  const current = phaseIndex(s.phase);
  const failed = s.status === "failed" || s.status === "interrupted" || s.status === "cancelled";
  // QEMU's figures come with rounds and its own downtime; a toolstack that reports rounds otherwise names itself
  // in them; without rounds, Ferry measures from outside
  const roundsSource = view.jobinfo.find((j) => j.source)?.source ?? null;
  const qemu = view.jobinfo.length > 0 && !roundsSource;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-sm text-slate-500">
            <Link href="/history" className="underline">
              History
            </Link>{" "}
            / job {s.id}
          </p>
          <h1 className="text-2xl font-semibold">
            {sentenceCase(kindWords[s.kind])} of{" "}
            <Link href={domainHref({ name: s.domainName, uuid: s.domainUuid })} className="text-sky-800 underline">
              {s.domainName}
            </Link>
          </h1>
          <p className="text-sm text-slate-600">
            {s.kind === "save" ? `on ${s.sourceName}` : `${s.sourceName} → ${s.targetName}`}
            {s.imagePath && (
              <>
                {" "}
                · image <span className="font-mono">{s.imagePath}</span>
              </>
            )}{" "}
            · by {s.createdBy} · <LocalTime iso={s.createdAt} testId="job-created" />
            <RemainingText
              job={s}
              elapsed={elapsed}
              notConverging={convergenceOf(roundsOf(view.jobinfo)).state === "not-converging"}
            />
          </p>
        </div>
        <div className="flex items-center gap-2">
          <StatusBadge status={s.status} />
          <span className={`text-xs ${connected ? "text-emerald-700" : "text-slate-500"}`}>
            {connected ? "live" : "reconnecting…"}
          </span>
          {canCancel && jobAbilities(s).cancel && (
            <button
              type="button"
              className="rounded-md border border-slate-300 px-3 py-1 text-sm"
              data-testid="job-cancel"
              onClick={() => cancelJob(s.id).catch((e: Error) => setError(e.message))}
            >
              Cancel
            </button>
          )}
        </div>
      </div>
      {error && <Alert tone="error">{error}</Alert>}

      <ol className="flex flex-wrap gap-1" data-testid="phase-timeline" aria-label="phases">
        {phasesOf(s.kind).map((p) => {
          const i = phaseIndex(p);
          // a move over shared storage copies nothing: its copy phase never starts, and says so
          const skipped = s.kind === "move" && p === "commitment" && !view.phaseStartedAt.commitment && i < current;
          const state = skipped
            ? "skipped"
            : i < current || s.phase === "done"
              ? "done"
              : i === current
                ? failed
                  ? "failed"
                  : "current"
                : "pending";
          const look = {
            done: "bg-emerald-600 text-white",
            skipped: "bg-slate-100 text-slate-600",
            current: "bg-sky-600 text-white animate-pulse",
            failed: "bg-red-600 text-white",
            pending: "bg-slate-100 text-slate-500",
          }[state];
          return (
            <li key={p} className={`rounded px-2 py-1 text-xs font-medium ${look}`} data-phase={p} data-state={state}>
              {skipped ? "No copy: shared storage" : phaseLabel(s.kind, p)}
            </li>
          );
        })}
      </ol>

      <div className="grid gap-3 sm:grid-cols-4" data-testid="job-figures">
        {figuresOf(s, { elapsedMs: elapsed, throughputBps: view.throughputBps, qemu }).map((f) => (
          <Figure key={f.label} label={f.label} value={f.value} sub={f.sub} testId={f.testId} />
        ))}
      </div>
      {s.forecast && <ForecastVsActual job={s} elapsed={elapsed} />}
      {s.kind !== "restore" && (
        <>
          <div
            className="h-2 overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-valuenow={Math.round((s.bytesSent / memory) * 100)}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div className="h-full bg-sky-600" style={{ width: `${Math.min(100, (s.bytesSent / memory) * 100)}%` }} />
          </div>
          {s.kind === "migrate" && (
            <p className="text-xs text-slate-500">
              {qemu
                ? "From QEMU's own job statistics (every 500 ms)."
                : roundsSource
                  ? `Rounds: ${roundsSource}; bytes: the source NIC's byte counter.`
                  : "The toolstack reports no progress of its own: Ferry reads the source NIC's byte counter."}{" "}
              Pre-copy resends pages the guest dirties, so bytes sent can exceed the domain's memory.
            </p>
          )}
        </>
      )}
      {s.kind === "migrate" && <DiskCopyProgress view={view} />}
      <FileCopies view={view} />
      {s.kind === "migrate" && view.jobinfo.length > 0 && (
        <RoundsView view={view} canTune={canCancel} postcopyAllowed={s.options?.postcopy === true} />
      )}

      {view.samples.length > 0 && (
        <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="bytes-chart-section">
          <h2 className="mb-2 text-sm font-semibold">
            {s.kind === "migrate" ? "Bytes sent over time" : "Bytes written over time"}
          </h2>
          <BytesChart view={view} />
        </section>
      )}

      {(s.locationNote || s.errorMessage) && (
        <section
          className={`rounded-lg border p-3 text-sm ${failed ? "border-red-200 bg-red-50" : "border-emerald-200 bg-emerald-50"}`}
          data-testid="job-result"
        >
          {s.errorMessage && (
            <p>
              <b>{s.errorCode}</b>: {s.errorMessage}
            </p>
          )}
          {s.locationNote && <p data-testid="job-location">Where the domain is: {s.locationNote}</p>}
        </section>
      )}

      {view.checks.length > 0 && (
        <section className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="mb-2 text-sm font-semibold">Checks</h2>
          <ul className="space-y-1 text-sm">
            {view.checks.map((c) => (
              <li key={c.id}>
                <b
                  className={
                    c.status === "fail" ? "text-red-700" : c.status === "warn" ? "text-amber-700" : "text-emerald-700"
                  }
                >
                  {c.status}
                </b>{" "}
                {c.label}: <span className="text-slate-600">{c.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-2 text-sm font-semibold">
          What the host printed ({s.kind === "migrate" ? "migrate" : s.kind === "restore" ? "restore" : "save"})
        </h2>
        <pre className="max-h-72 overflow-auto whitespace-pre-wrap text-xs text-slate-700" data-testid="job-log">
          {view.log.join("\n") || "—"}
        </pre>
      </section>
    </div>
  );
}

function Figure({ label, value, sub, testId }: { label: string; value: string; sub: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3">
      <p className="text-xs text-slate-500">{label}</p>
      <p className="text-xl font-semibold" data-testid={testId}>
        {value}
      </p>
      <p className="text-xs text-slate-500">{sub}</p>
    </div>
  );
}

/** What the forecast said at launch, against what happened (once the job is done). */
function ForecastVsActual({ job, elapsed }: { job: JobSummary; elapsed: number | null }) {
  const f = job.forecast!;
  const done = job.status === "succeeded";
  const e = forecastError(f, { durationMs: elapsed, downtimeMs: job.downtimeMs, downtimeBound: job.downtimeBound });
  const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)} %`);
  return (
    <p className="rounded border border-slate-200 bg-white px-3 py-2 text-sm" data-testid="forecast-vs-actual">
      <b>Forecast at launch:</b> {formatMs(f.totalMs)} in {f.rounds} rounds, downtime {formatMs(f.downtimeMs)} (
      {f.verdict.replace(/-/g, " ")}).
      {done && (
        <>
          {" "}
          Actual: {formatMs(elapsed)}, downtime {e.downtimeBounded ? "≤ " : ""}
          {formatMs(job.downtimeMs)} — error <span data-testid="forecast-error">{pct(e.duration)}</span> on time,{" "}
          <span data-testid="forecast-downtime-error">
            {e.downtimeBounded
              ? "none on downtime (only an upper bound was measured)"
              : `${pct(e.downtime)} on downtime`}
          </span>
          .
        </>
      )}
    </p>
  );
}
