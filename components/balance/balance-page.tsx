"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { ImbalancePoint, PressureNow } from "@/lib/balance/history";
import { headroomSchema, thresholdSchema } from "@/lib/balance/schema";
import type { BalanceView } from "@/lib/balance/service";
import type { SavedBalanceSettings } from "@/lib/balance/settings";
import { chart } from "../chart-colors";
import { RateChart } from "../usage-charts";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { applyBalance, getBalance, recommendBalance, type BalanceAsk } from "./api";
import { BalanceSettingsForm } from "./balance-settings";
import { PressureBars } from "./pressure-bars";
import { RecommendationView } from "./recommendation-view";

const field = "ml-1 w-16 rounded border border-slate-300 px-1 py-0.5";
const problemOf = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.success ? null : (r.error?.issues[0]?.message ?? "Check this value.");

/** The Balance view: how unbalanced the hosts are now and over the day, a recommendation to read, apply it. */
export function BalancePage({
  initial,
  canAct,
  canAdmin,
}: {
  initial: { hosts: PressureNow[]; history: ImbalancePoint[]; settings: SavedBalanceSettings };
  canAct: boolean;
  canAdmin: boolean;
}) {
  const router = useRouter();
  const [data, setData] = useState(initial);
  const [mode, setMode] = useState<BalanceAsk["mode"]>(initial.settings.mode);
  const [headroom, setHeadroom] = useState(String(initial.settings.headroomPct));
  const [threshold, setThreshold] = useState(String(initial.settings.thresholdPts));
  const [view, setView] = useState<BalanceView | null>(null);
  const [busy, setBusy] = useState<"planning" | "applying" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  // the figures are checked as they are typed: a recommendation is never asked with values other than those shown
  const headroomProblem = problemOf(headroomSchema.safeParse(headroom.trim() === "" ? Number.NaN : Number(headroom)));
  const thresholdProblem = problemOf(
    thresholdSchema.safeParse(threshold.trim() === "" ? Number.NaN : Number(threshold)),
  );
  const ask: BalanceAsk = { mode, headroomPct: Number(headroom), thresholdPts: Number(threshold) };

  const recommend = async () => {
    setError(null);
    setBusy("planning");
    try {
      const [v, d] = await Promise.all([recommendBalance(ask), getBalance()]);
      setView(v);
      setData(d);
    } catch (e) {
      setView(null);
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const apply = async (only?: string[]) => {
    if (!view) return;
    setError(null);
    setBusy("applying");
    try {
      const r = await applyBalance(ask, view, only);
      router.push(`/group-moves/${r.evacuation.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  };

  return (
    <div className="mx-auto max-w-5xl space-y-4 p-4" data-testid="balance-page" data-ready={ready ? "1" : undefined}>
      <header>
        <h1 className="text-xl font-semibold">Balance</h1>
        <p className="text-sm text-slate-600">
          How evenly the hosts carry their domains: each host&apos;s memory in use (and CPU busy, from the last 15
          minutes of samples). A recommendation is a dry run — which domain would go where and why, each move&apos;s
          forecast — and nothing moves until you apply it.
        </p>
      </header>
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-2 text-sm font-semibold">Memory in use{view ? ", now and after the plan" : ""}</h2>
        <PressureBars hosts={data.hosts} outcome={view?.recommendation.hosts ?? null} />
        {view && (
          <p className="mt-2 text-xs text-slate-600">
            Filled: now. Outlined in amber: where the recommended moves would leave a host.
          </p>
        )}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-2 text-sm font-semibold">Over the last day</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <RateChart
            points={data.history.map((p) => ({ at: p.at, maxPct: p.maxPct, meanPct: p.meanPct, minPct: p.minPct }))}
            series={[
              { key: "maxPct", name: "fullest host", color: chart.alarm },
              { key: "meanPct", name: "mean", color: chart.primary },
              { key: "minPct", name: "emptiest host", color: chart.good },
            ]}
            unit={(v) => `${v.toFixed(0)} %`}
            top={100}
            testId="spread-chart"
            caption="Memory in use across the hosts: the fullest host, the mean and the emptiest, every 5 minutes."
            empty="No samples yet: the usage history takes one a minute from each host."
          />
          <RateChart
            points={data.history.map((p) => ({ at: p.at, memoryPts: p.memoryPts }))}
            series={[{ key: "memoryPts", name: "memory imbalance", color: chart.primary }]}
            unit={(v) => `${v.toFixed(1)} pts`}
            top={null}
            testId="imbalance-chart"
            caption="The imbalance: the standard deviation of the hosts' memory in use, in percentage points, every 5 minutes."
            empty="No samples yet: the usage history takes one a minute from each host."
          />
        </div>
      </section>
      {error && (
        <Alert tone="error" testId="balance-error">
          {error}
        </Alert>
      )}
      {canAct ? (
        <section className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="text-sm font-semibold">Recommendation</h2>
          <p className="text-xs text-slate-600">
            Spread evens out memory and CPU and keeps the headroom free on every host; pack empties as many hosts as it
            can (to power them off), each emptied host whole or not at all. Both respect maintenance, the placement
            rules, each domain&apos;s maximum downtime and the live migration&apos;s checks.
          </p>
          <div className="mt-2 flex flex-wrap items-start gap-3">
            <fieldset className="text-xs">
              <legend className="sr-only">Mode</legend>
              {(["spread", "pack"] as const).map((m) => (
                <label key={m} className="mr-3">
                  <input
                    type="radio"
                    name="balance-mode"
                    value={m}
                    checked={mode === m}
                    onChange={() => setMode(m)}
                    data-testid={`balance-mode-${m}`}
                  />{" "}
                  {m}
                </label>
              ))}
            </fieldset>
            {(
              [
                ["headroom", "Headroom %", headroom, setHeadroom, headroomProblem],
                ["threshold", "Acceptable imbalance (points)", threshold, setThreshold, thresholdProblem],
              ] as const
            ).map(([id, label, value, set, problem]) => (
              <label key={id} className="text-xs">
                {label}
                <input
                  className={field}
                  inputMode="decimal"
                  value={value}
                  onChange={(e) => set(e.target.value)}
                  data-testid={`balance-${id}`}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `balance-${id}-problem` : undefined}
                />
                {problem && (
                  <span id={`balance-${id}-problem`} className="mt-0.5 block text-red-700">
                    {problem}
                  </span>
                )}
              </label>
            ))}
            <Button
              kind="primary"
              onClick={recommend}
              disabled={busy !== null || headroomProblem !== null || thresholdProblem !== null}
              data-testid="balance-recommend"
            >
              {busy === "planning" ? "Weighing…" : view ? "Recommend again" : "Recommend"}
            </Button>
          </div>
          {view && (
            <RecommendationView
              key={JSON.stringify(view.plan.moves.map((m) => m.domain))}
              view={view}
              canAct={canAct}
              applying={busy === "applying"}
              onApply={apply}
            />
          )}
        </section>
      ) : (
        <p className="text-sm text-slate-600">An operator can ask for a recommendation and apply it.</p>
      )}
      {canAdmin && (
        <BalanceSettingsForm initial={data.settings} onSaved={(s) => setData((d) => ({ ...d, settings: s }))} />
      )}
    </div>
  );
}
