"use client";
import { capSchema } from "@/lib/evacuate/schema";
import { useCallback, useEffect, useState } from "react";
import type { Plan } from "@/lib/evacuate/plan";
import type { EvacuationView } from "@/lib/evacuate/service";
import { formatMs } from "@/lib/format-bytes";
import { formatMiB } from "@/lib/format";
import { LocalTime } from "../time";
import { PlanTimeline } from "./plan-timeline";
import { Board } from "./board";
import { PlacementEditor } from "./placement-editor";
import { listEvacuations, planFor, runPlan, setMaintenance, stopEvacuation, type PlacementSettings } from "./api";

const optionWords = {
  "move-by-save-restore": "move by save/restore (stops it for the whole transfer)",
  "save-to-image": "save it to an image and leave it",
  "shut-down": "shut it down",
  keep: "keep it here (maintenance cannot complete)",
} as const;

/** Maintenance mode, the plan before anything moves, the board while it runs, and the way home. */
export function EvacuationPage({
  host,
  domains,
  initialEvacuations,
  initialSettings,
  canAct,
}: {
  host: { id: string; name: string; maintenance: { since: string; by: string } | null };
  domains: string[];
  initialEvacuations: EvacuationView[];
  initialSettings: PlacementSettings;
  canAct: boolean;
}) {
  const [maintenance, setMaint] = useState(host.maintenance);
  const [kind, setKind] = useState<"evacuate" | "return">("evacuate");
  const [cap, setCap] = useState("");
  const [plan, setPlan] = useState<Plan | null>(null);
  const [planning, setPlanning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [evacuations, setEvacuations] = useState(initialEvacuations);
  // data-ready once React has attached the handlers (a click on the server's markup before that does nothing)
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const latest = evacuations[0] ?? null;
  const active = latest && (latest.status === "running" || latest.status === "stopping") ? latest : null;

  // the cap is checked as it is typed: a plan is never made with a cap other than the one on screen
  const capParsed = cap.trim() ? capSchema.safeParse(Number(cap)) : null;
  const capProblem = capParsed && !capParsed.success ? (capParsed.error.issues[0]?.message ?? null) : null;
  const capNumber = capParsed?.success ? capParsed.data : undefined;
  const makePlan = useCallback(
    async (k: "evacuate" | "return") => {
      setError(null);
      setPlanning(true);
      setKind(k);
      try {
        setPlan((await planFor(host.id, k, capNumber)).plan);
      } catch (e) {
        setPlan(null);
        setError((e as Error).message);
      } finally {
        setPlanning(false);
      }
    },
    [host.id, capNumber],
  );

  // the board follows a running evacuation (each of its moves is also a job with its own page)
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      listEvacuations(host.id).then(
        (r) => setEvacuations(r.evacuations),
        () => undefined,
      );
    }, 1000);
    return () => clearInterval(t);
  }, [active, host.id]);

  const toggle = async () => {
    setError(null);
    try {
      const r = await setMaintenance(host.id, !maintenance);
      setMaint(r.host.maintenance ?? null);
      setPlan(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const run = async () => {
    if (!plan) return;
    setError(null);
    try {
      const r = await runPlan(host.id, kind, plan, capNumber);
      setEvacuations([r.evacuation, ...evacuations]);
      setPlan(null);
      if (kind === "evacuate") setMaint(maintenance ?? { since: new Date().toISOString(), by: "you" });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const stop = async (cancelRunning: boolean) => {
    if (!active) return;
    try {
      const r = await stopEvacuation(active.id, cancelRunning);
      setEvacuations([r.evacuation, ...evacuations.slice(1)]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div
      className="mx-auto max-w-5xl space-y-4 p-4"
      data-testid="maintenance-page"
      data-ready={ready ? "1" : undefined}
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold">Maintenance of {host.name}</h1>
          <p
            className="text-sm text-slate-600"
            data-testid="maintenance-state"
            data-on={maintenance ? "true" : "false"}
          >
            {maintenance ? (
              <>
                In maintenance since <LocalTime iso={maintenance.since} /> ({maintenance.by}): it receives nothing.
              </>
            ) : (
              "In service: it receives migrations, moves and restores."
            )}
          </p>
        </div>
        {canAct && (
          <button
            type="button"
            onClick={toggle}
            disabled={!!active}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm disabled:opacity-40"
            data-testid="maintenance-toggle"
          >
            {maintenance ? "Leave maintenance" : "Enter maintenance"}
          </button>
        )}
      </header>

      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="evac-error">
          {error}
        </p>
      )}

      {active || latest ? <Board evacuation={active ?? latest!} canAct={canAct} onStop={stop} /> : null}

      {canAct && !active && (
        <section className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="text-sm font-semibold">Plan</h2>
          <p className="text-xs text-slate-600">
            A plan is a dry run: nothing moves until you run it. Ferry chooses how many moves run at once from the
            forecast (moves on one link share it, which lengthens every round and raises every downtime).
          </p>
          <div className="mt-2 flex flex-wrap items-end gap-2">
            <label className="text-xs">
              At most this many at once (optional)
              <input
                className="ml-1 w-14 rounded border border-slate-300 px-1 py-0.5"
                inputMode="numeric"
                value={cap}
                onChange={(e) => setCap(e.target.value)}
                data-testid="plan-cap"
                aria-invalid={capProblem ? true : undefined}
                aria-describedby={capProblem ? "plan-cap-problem" : undefined}
              />
              {capProblem && (
                <span id="plan-cap-problem" className="mt-0.5 block text-red-700" data-testid="plan-cap-problem">
                  {capProblem}
                </span>
              )}
            </label>
            <button
              type="button"
              onClick={() => makePlan("evacuate")}
              disabled={planning || capProblem !== null}
              className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40"
              data-testid="plan-evacuate"
            >
              {planning && kind === "evacuate"
                ? "Planning…"
                : latest?.status === "incomplete"
                  ? "Re-plan"
                  : "Plan evacuation"}
            </button>
            {!maintenance && (
              <button
                type="button"
                onClick={() => makePlan("return")}
                disabled={planning || capProblem !== null}
                className="rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-40"
                data-testid="plan-return"
              >
                {planning && kind === "return" ? "Planning…" : "Plan the way home"}
              </button>
            )}
          </div>
          {plan && <PlanView plan={plan} kind={kind} onRun={run} />}
        </section>
      )}

      <PlacementEditor domains={domains} initial={initialSettings} canAct={canAct} />
    </div>
  );
}

function PlanView({ plan, kind, onRun }: { plan: Plan; kind: "evacuate" | "return"; onRun(): void }) {
  const over = plan.candidates.filter((c) => c.overMaxDowntime.length);
  return (
    <div className="mt-3 space-y-3" data-testid="plan" data-concurrency={plan.concurrency}>
      <p className="text-sm" data-testid="plan-summary">
        {plan.moves.length ? (
          <>
            <b>{plan.moves.length}</b>{" "}
            {kind === "return" ? "domains come home" : `domain${plan.moves.length > 1 ? "s" : ""} move`},{" "}
            <b>{plan.concurrency}</b> at a time: about <b data-testid="plan-total">{formatMs(plan.totalMs)}</b> in all
            (no plan can beat {formatMs(plan.boundMs)}: the memory ÷ the link's speed).
          </>
        ) : (
          "Nothing to move."
        )}
        {plan.capCostMs !== null && plan.capCostMs > 0 && (
          <span data-testid="plan-cap-cost"> Your cap costs {formatMs(plan.capCostMs)} against the best plan.</span>
        )}
      </p>
      {plan.candidates.length > 1 && (
        <p className="text-xs text-slate-600" data-testid="plan-candidates">
          Weighed:{" "}
          {plan.candidates
            .map(
              (c) =>
                `${c.concurrency} at once ${formatMs(c.totalMs)}${c.why ? ` (${c.why})` : c.overMaxDowntime.length ? ` (${c.overMaxDowntime.join(", ")} over the maximum downtime)` : ""}`,
            )
            .join("; ")}
          .{over.length ? " More at once would stop a guest too long." : ""}
        </p>
      )}
      {plan.moves.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[40rem] text-left text-sm" data-testid="plan-moves">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1">#</th>
                <th>Domain</th>
                <th>Link</th>
                <th>Starts</th>
                <th>Takes</th>
                <th>Downtime (max)</th>
                <th>Target free after</th>
              </tr>
            </thead>
            <tbody>
              {plan.moves.map((m) => (
                <tr
                  key={m.domain}
                  className="border-t border-slate-100"
                  data-testid={`plan-move-${m.domain}`}
                  data-target={m.target}
                >
                  <td className="py-1">{m.order}</td>
                  <td>
                    {m.domain} <span className="text-xs text-slate-500">{formatMiB(m.memoryMiB)}</span>
                  </td>
                  <td>
                    {m.from} → <b>{m.target}</b>
                    {m.sharing > 1 && <span className="text-xs text-slate-500"> (shared by {m.sharing})</span>}
                  </td>
                  <td>{m.startMs ? `after ${formatMs(m.startMs)}` : "at once"}</td>
                  <td>{formatMs(m.durationMs)}</td>
                  <td>
                    {formatMs(m.downtimeMs)}{" "}
                    <span className="text-xs text-slate-500">({formatMs(m.maxDowntimeMs)})</span>
                  </td>
                  <td>{formatMiB(m.targetFreeAfterMiB)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {plan.moves.length > 0 && <PlanTimeline plan={plan} />}
      {plan.left.length > 0 && (
        <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm" data-testid="plan-left">
          <p className="font-medium">
            {plan.complete ? "Stays (not running):" : "Cannot go live — the host cannot be emptied by this plan:"}
          </p>
          <ul className="mt-1 space-y-1">
            {plan.left.map((l) => (
              <li key={l.domain} data-testid={`plan-left-${l.domain}`}>
                <b>{l.domain}</b> ({formatMiB(l.memoryMiB)}): {l.reason}{" "}
                <span className="text-xs text-slate-700">
                  What is possible: {l.options.map((o) => optionWords[o]).join("; ")}. Nothing is done without you
                  choosing it (from the Cluster page).
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.moves.length > 0 && (
        <button
          type="button"
          onClick={onRun}
          className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white"
          data-testid="plan-run"
        >
          {kind === "return" ? "Bring them home" : "Run this plan"}
        </button>
      )}
    </div>
  );
}
