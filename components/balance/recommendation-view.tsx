"use client";
import { useState } from "react";
import type { BalanceView } from "@/lib/balance/service";
import { formatMs } from "@/lib/format-bytes";
import { count, formatMiB } from "@/lib/format";
import { PlanTimeline } from "../evacuate/plan-timeline";
import { TableScroll } from "../table-scroll";
import { Button } from "../ui/button";

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A recommendation as the operator reads it: the imbalance before and after, each move with why and its forecast. */
export function RecommendationView({
  view,
  canAct,
  applying,
  onApply,
}: {
  view: BalanceView;
  canAct: boolean;
  applying: boolean;
  /** all the moves, or the ones ticked */
  onApply(only?: string[]): void;
}) {
  const { recommendation: r, plan } = view;
  const why = new Map(r.moves.map((m) => [m.domain, m.why]));
  const [ticked, setTicked] = useState<Set<string>>(() => new Set(plan.moves.map((m) => m.domain)));
  const toggle = (d: string) =>
    setTicked((t) => {
      const n = new Set(t);
      if (n.has(d)) n.delete(d);
      else n.add(d);
      return n;
    });
  const all = ticked.size === plan.moves.length;
  const worst = plan.moves.reduce((a, m) => Math.max(a, m.downtimeMs), 0);
  const emptied = r.hosts.filter((h) => h.emptied).map((h) => h.name);
  return (
    <div className="mt-3 space-y-3" data-testid="recommendation" data-moves={plan.moves.length}>
      <p className="text-sm" data-testid="recommendation-summary">
        Imbalance now <b>{round1(r.before.score)}</b> points (memory {round1(r.before.memoryPts)}, CPU{" "}
        {view.cpuKnown ? round1(r.before.cpuPts) : "not measured yet"})
        {plan.moves.length ? (
          <>
            ; after {count(plan.moves.length, "move")} <b data-testid="recommendation-after">{round1(r.after.score)}</b>{" "}
            points.{" "}
            {emptied.length > 0 && (
              <span data-testid="recommendation-emptied">
                It empties {emptied.join(", ")}: {emptied.length > 1 ? "they" : "it"} can then be powered off.{" "}
              </span>
            )}
            {plan.concurrency} at a time, about <b>{formatMs(plan.totalMs)}</b> in all (no plan can beat{" "}
            {formatMs(plan.boundMs)}); the longest stop of a guest about {formatMs(worst)}.
          </>
        ) : (
          <>: nothing worth moving{r.mode === "pack" ? " — no host can be emptied" : ""}.</>
        )}
      </p>
      {plan.moves.length > 0 && (
        <TableScroll label="The recommended moves">
          <table className="stack-on-phone w-full min-w-[44rem] text-left text-sm" data-testid="recommendation-moves">
            <thead className="text-xs text-slate-500">
              <tr>
                {canAct && <th className="py-1 pr-2">Apply</th>}
                <th>Domain</th>
                <th>Move</th>
                <th>Why</th>
                <th>Takes</th>
                <th>Downtime (max)</th>
              </tr>
            </thead>
            <tbody>
              {plan.moves.map((m) => (
                <tr
                  key={m.domain}
                  className="border-t border-slate-100 align-top"
                  data-testid={`balance-move-${m.domain}`}
                  data-target={m.target}
                >
                  {canAct && (
                    <td className="py-1 pr-2" data-label="Apply">
                      <input
                        type="checkbox"
                        checked={ticked.has(m.domain)}
                        onChange={() => toggle(m.domain)}
                        aria-label={`Apply the move of ${m.domain} to ${m.target}`}
                        data-testid={`balance-tick-${m.domain}`}
                      />
                    </td>
                  )}
                  <td data-label="Domain">
                    {m.domain} <span className="text-xs text-slate-500">{formatMiB(m.memoryMiB)}</span>
                  </td>
                  <td data-label="Move" className="whitespace-nowrap pr-2">
                    {m.from} → <b>{m.target}</b>
                  </td>
                  <td data-label="Why" className="text-xs text-slate-700">
                    {why.get(m.domain)}
                  </td>
                  <td data-label="Takes">{formatMs(m.durationMs)}</td>
                  <td data-label="Downtime (max)">
                    {formatMs(m.downtimeMs)}{" "}
                    <span className="text-xs text-slate-500">({formatMs(m.maxDowntimeMs)})</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {plan.moves.length > 0 && <PlanTimeline plan={plan} />}
      {(view.refused.length > 0 || r.notes.length > 0) && (
        <div className="rounded border border-slate-200 p-2 text-sm" data-testid="recommendation-notes">
          <p className="font-medium">Weighed and not done:</p>
          <ul className="mt-1 list-disc space-y-1 pl-5 text-xs text-slate-700">
            {view.refused.map((x) => (
              <li key={`${x.domain}|${x.target}`} data-testid={`balance-refused-${x.domain}`}>
                {x.domain} to {x.target}: {x.reason}
              </li>
            ))}
            {r.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      {canAct && plan.moves.length > 0 && (
        <div className="flex flex-wrap gap-2">
          <Button kind="primary" disabled={applying} onClick={() => onApply()} data-testid="balance-apply">
            {applying ? "Starting…" : `Apply all ${count(plan.moves.length, "move")}`}
          </Button>
          {!all && (
            <Button
              disabled={applying || ticked.size === 0}
              onClick={() => onApply([...ticked])}
              data-testid="balance-apply-some"
            >
              Apply the {count(ticked.size, "ticked move")}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
