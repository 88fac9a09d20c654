"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chart } from "@/components/chart-colors";
import type { Plan } from "@/lib/evacuate/plan";

/**
 * The plan drawn as a timeline: one bar per move from its planned start to its end, rows grouped by link
 * (moves on one link share it), so which run side by side is seen at a glance.
 */
export function PlanTimeline({ plan }: { plan: Plan }) {
  const rows = [...plan.moves]
    .sort((a, b) => `${a.from}→${a.target}`.localeCompare(`${b.from}→${b.target}`) || a.startMs - b.startMs)
    .map((m) => ({
      name: m.domain,
      link: `${m.from} → ${m.target}`,
      wait: m.startMs / 1000,
      move: m.durationMs / 1000,
      downtime: m.downtimeMs,
    }));
  // room for the longest name at 11 px (about 6.5 px a character), up to 200 px; a longer one is shortened with
  // "…" on the axis (the tooltip and the label read out for screen readers carry it whole)
  const fits = Math.floor((200 - 12) / 6.5);
  const axisWidth = Math.min(200, 12 + 6.5 * Math.max(4, ...rows.map((r) => r.name.length)));
  const tick = (name: string) => (name.length > fits ? `${name.slice(0, fits - 1)}…` : name);
  return (
    <div
      className="w-full"
      style={{ height: 40 + rows.length * 28 }}
      data-testid="plan-timeline"
      role="img"
      aria-label={`Timeline: ${plan.moves.map((m) => `${m.domain} from ${(m.startMs / 1000).toFixed(1)} s for ${(m.durationMs / 1000).toFixed(1)} s on ${m.from} to ${m.target}`).join("; ")}`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 12, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} horizontal={false} />
          <XAxis type="number" fontSize={11} tickFormatter={(v: number) => `${v.toFixed(0)} s`} />
          <YAxis type="category" dataKey="name" width={axisWidth} fontSize={11} tickFormatter={tick} />
          <Tooltip
            formatter={(v, name, item) =>
              name === "wait"
                ? null
                : [`${Number(v).toFixed(1)} s on ${item.payload.link}`, `${item.payload.name}'s migration`]
            }
          />
          <Bar dataKey="wait" stackId="t" fill="transparent" isAnimationActive={false} />
          <Bar dataKey="move" stackId="t" fill={chart.secondary} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
