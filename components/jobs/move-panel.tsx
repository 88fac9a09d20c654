"use client";
import { useEffect, useRef, useState } from "react";
import type { Check } from "@/lib/checks/migration";
import { formatMs } from "@/lib/format-bytes";
import { checkMove, moveDomain } from "./api";
import { CheckList } from "./check-list";

/**
 * A move by save/restore stops the guest for the whole transfer. Before it starts: its own checks, the
 * expected outage in words, and a tick that accepts it — never one click.
 */
export function MovePanel({
  domain,
  sourceId,
  targetId,
  onStarted,
  onCancel,
}: {
  domain: string;
  sourceId: string;
  targetId: string;
  onStarted(jobId: string): void;
  onCancel(): void;
}) {
  const [answer, setAnswer] = useState<Awaited<ReturnType<typeof checkMove>> | null>(null);
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // the panel opens below the migration's checks: bring it into view (the dialog scrolls)
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "nearest" });
  }, []);
  useEffect(() => {
    let live = true;
    checkMove(domain, sourceId, targetId).then(
      (r) => live && setAnswer(r),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [domain, sourceId, targetId]);
  const failed = answer?.checks.some((c: Check) => c.status === "fail") ?? true;
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      onStarted((await moveDomain(domain, sourceId, targetId)).job.id);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <section
      ref={ref}
      className="mt-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm"
      data-testid="move-panel"
    >
      <h3 className="font-semibold">Move by save/restore</h3>
      {!answer && !error && <p className="text-slate-600">Running the move's checks…</p>}
      {answer && (
        <>
          <p className="mt-1" data-testid="move-outage">
            {domain} is <b>stopped for the whole move</b>: about <b>{formatMs(answer.outage.ms)}</b> (save
            {answer.shared ? "" : ", copy"}, restore). A live migration would keep it running.
          </p>
          <p className="mt-0.5 text-xs text-slate-600">{answer.outage.sources.join("; ")}.</p>
          <div className="mt-2">
            <CheckList checks={answer.checks} idPrefix="mcheck" testId="move-checks" />
          </div>
          {!failed && (
            <label className="mt-2 flex items-center gap-2">
              <input
                type="checkbox"
                checked={accepted}
                onChange={(e) => setAccepted(e.target.checked)}
                data-testid="move-accept"
              />
              I accept that {domain} is stopped for about {formatMs(answer.outage.ms)}.
            </label>
          )}
        </>
      )}
      {error && (
        <p role="alert" className="mt-2 rounded bg-red-50 px-2 py-1.5 text-red-800" data-testid="move-error">
          {error}
        </p>
      )}
      <div className="mt-3 flex justify-end gap-2">
        <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-3 py-1.5">
          Back
        </button>
        <button
          type="button"
          onClick={start}
          disabled={busy || failed || !accepted}
          className="rounded-md bg-amber-700 px-3 py-1.5 font-medium text-white disabled:opacity-40"
          data-testid="move-confirm"
        >
          {busy ? "Starting…" : "Stop and move"}
        </button>
      </div>
    </section>
  );
}
