"use client";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { capSchema } from "@/lib/evacuate/schema";
import { useCallback, useEffect, useState } from "react";
import type { Plan } from "@/lib/evacuate/plan";
import type { EvacuationView } from "@/lib/evacuate/service";
import { LocalTime } from "../time";
import { PlanView } from "./plan-view";
import { Board } from "./board";
import { PlacementEditor } from "./placement-editor";
import { listEvacuations, planFor, runPlan, setMaintenance, stopEvacuation, type PlacementSettings } from "./api";

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
        <Alert tone="error" testId="evac-error">
          {error}
        </Alert>
      )}

      {active || latest ? <Board evacuation={active ?? latest!} canAct={canAct} onStop={stop} /> : null}

      {canAct && !active && (
        <section className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="text-sm font-semibold">Plan</h2>
          <p className="text-xs text-slate-600">
            A plan is a dry run: nothing moves until you run it. Ferry chooses how many moves run at once from the
            forecast (moves on one link share it, which lengthens every round and raises every downtime). A domain no
            host can take live (its disks on this host's own storage, on Xen) moves by save/restore at the end, stopped
            for the whole move; the plan says for how long.
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
            <Button
              onClick={() => makePlan("evacuate")}
              disabled={planning || capProblem !== null}
              kind="primary"
              data-testid="plan-evacuate"
            >
              {planning && kind === "evacuate"
                ? "Planning…"
                : latest?.status === "incomplete"
                  ? "Re-plan"
                  : "Plan evacuation"}
            </Button>
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
