"use client";
import type { EvacuationView, MoveStateName } from "@/lib/evacuate/service";
import { formatMs } from "@/lib/format-bytes";
import { LocalTime } from "../time";

// A running (or finished) evacuation's (or group move's) board: each move's state, the totals and what is left, and Stop.

const stateLook: Record<MoveStateName, string> = {
  pending: "bg-slate-100 text-slate-700",
  running: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-amber-100 text-amber-900",
  skipped: "bg-slate-100 text-slate-600",
};

/** The evacuation's moves as they run; Stop lets running moves finish, or cancels them too. */
export function Board({
  evacuation: e,
  canAct,
  onStop,
}: {
  evacuation: EvacuationView;
  canAct: boolean;
  onStop(cancelRunning: boolean): void;
}) {
  const count = (s: MoveStateName) => e.moves.filter((m) => m.state === s).length;
  /** moves started early to follow a running one onto the link: checked, not sending yet */
  const following = e.moves.filter((m) => m.state === "running" && m.after?.length).length;
  const live = e.status === "running" || e.status === "stopping";
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-3"
      data-testid="board"
      data-status={e.status}
      data-kind={e.kind}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold">
          {e.kind === "return"
            ? "Return home"
            : e.kind === "group"
              ? `Group move to ${e.hostName}`
              : e.kind === "balance"
                ? `Balancing (${e.hostName})`
                : "Evacuation"}{" "}
          by {e.createdBy}, <LocalTime iso={e.createdAt} /> — <span data-testid="board-status">{e.status}</span>
        </h2>
        <p className="text-xs text-slate-600" data-testid="board-totals">
          {count("succeeded")} moved · {count("running") - following} moving
          {following ? ` · ${following} next on the link` : ""} · {count("pending")} waiting · {count("failed")} failed
          {count("skipped") ? ` · ${count("skipped")} not started` : ""}
          {live && e.etaMs !== null ? ` · about ${formatMs(e.etaMs)} left` : ""}
        </p>
      </div>
      <ul className="mt-2 space-y-1 text-sm">
        {e.moves.map((m) => (
          <li
            key={m.domain}
            className="flex flex-wrap items-center gap-2"
            data-testid={`board-move-${m.domain}`}
            data-state={m.state}
          >
            <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${stateLook[m.state]}`}>{m.state}</span>
            <span>
              {m.domain}: {m.from} → {m.target}
            </span>
            {m.jobId && (
              <a className="text-xs text-sky-800 underline" href={`/jobs/${m.jobId}`}>
                job
              </a>
            )}
            {m.state === "running" && m.after?.length ? (
              <span className="text-xs text-slate-600" data-testid={`board-follows-${m.domain}`}>
                next on the link: checked while the move before it sends; a Stop cancels it
              </span>
            ) : null}
            {m.message && m.state !== "succeeded" && <span className="text-xs text-slate-600">{m.message}</span>}
          </li>
        ))}
      </ul>
      {e.status === "incomplete" && (
        <p className="mt-2 text-xs text-amber-800" data-testid="board-incomplete">
          Not everything moved: the domains that did not move still run where they were (see each job). Re-plan to try
          what is left.
        </p>
      )}
      {canAct && live && (
        <div className="mt-2 flex gap-2">
          <button
            type="button"
            onClick={() => onStop(false)}
            disabled={e.status === "stopping"}
            className="rounded border border-slate-300 px-2 py-1 text-xs disabled:opacity-40"
            data-testid="board-stop"
          >
            Stop (let running moves finish)
          </button>
          <button
            type="button"
            onClick={() => onStop(true)}
            className="rounded border border-red-300 px-2 py-1 text-xs text-red-700"
            data-testid="board-stop-cancel"
          >
            Stop and cancel running moves
          </button>
        </div>
      )}
    </section>
  );
}
