import type { PressureNow } from "@/lib/balance/history";
import type { HostOutcome } from "@/lib/balance/recommend";
import { formatMiB } from "@/lib/format";

// Each host's memory in use as a bar, and — once there is a recommendation — where the plan would leave it (a
// second, outlined bar) and its CPU busy before and after. Hosts that take no part are greyed with the reason.

export function PressureBars({ hosts, outcome }: { hosts: PressureNow[]; outcome: HostOutcome[] | null }) {
  const after = new Map((outcome ?? []).map((h) => [h.id, h]));
  return (
    <ul className="space-y-2" data-testid="pressure">
      {hosts.map((h) => {
        const o = after.get(h.id);
        const moved = o && Math.abs(o.memoryAfterPct - o.memoryBeforePct) >= 0.1;
        return (
          <li
            key={h.id}
            className={`grid grid-cols-[7rem_1fr_11rem] items-center gap-2 text-sm max-sm:grid-cols-[1fr_auto] ${h.active ? "" : "opacity-60"}`}
            data-testid={`pressure-${h.name}`}
            data-pct={h.memoryPct}
            data-after={o?.memoryAfterPct}
          >
            <span className="truncate font-medium" title={h.name}>
              {h.name}
            </span>
            <span className="max-sm:order-3 max-sm:col-span-2" aria-hidden>
              <span className="relative block h-3 rounded bg-slate-100">
                <span
                  className="absolute inset-y-0 left-0 rounded bg-sky-600"
                  style={{ width: `${Math.min(100, h.memoryPct)}%` }}
                />
                {moved && (
                  <span
                    className="absolute inset-y-0 left-0 rounded border-2 border-amber-600"
                    style={{ width: `${Math.min(100, o.memoryAfterPct)}%` }}
                  />
                )}
              </span>
            </span>
            <span className="text-right text-xs text-slate-700 tabular-nums">
              {h.active ? (
                <>
                  {Math.round(h.memoryPct)} %
                  {moved && Math.round(o.memoryAfterPct) !== Math.round(h.memoryPct)
                    ? ` → ${Math.round(o.memoryAfterPct)} %`
                    : ""}{" "}
                  of {formatMiB(h.totalMiB)}
                  {o && (o.cpuBeforePct > 0 || o.cpuAfterPct > 0) && (
                    <span className="block">
                      CPU {Math.round(o.cpuBeforePct)} %
                      {Math.round(o.cpuAfterPct) !== Math.round(o.cpuBeforePct)
                        ? ` → ${Math.round(o.cpuAfterPct)} %`
                        : ""}
                    </span>
                  )}
                  {o?.emptied && <span className="block font-medium text-amber-800">emptied</span>}
                </>
              ) : (
                <>takes no part: {h.why}</>
              )}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
