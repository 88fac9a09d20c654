"use client";
import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chart } from "@/components/chart-colors";
import { formatClock, formatLocal, formatMiB } from "@/lib/format";

export interface HostMemorySeries {
  at: string;
  freeMiB: number;
  totalMiB: number;
  guestsMiB: number;
}

/** Time labels: seconds when the samples span less than ten minutes (a fresh start), else minutes. */
const clockFor = (points: { at: string }[]) => {
  const span = points.length ? Date.parse(points[points.length - 1].at) - Date.parse(points[0].at) : 0;
  const withSeconds = span < 10 * 60_000;
  return (ms: number) => formatClock(ms, withSeconds);
};

/** The time axis every usage chart draws (memory, CPU, network): the samples' span, on the page's clock. */
export const timeAxis = (points: { at: string }[]) =>
  ({
    dataKey: "t",
    type: "number",
    scale: "time",
    domain: ["dataMin", "dataMax"],
    tickFormatter: clockFor(points),
    minTickGap: 24,
    fontSize: 11,
  }) as const;

function Empty({ what }: { what: string }) {
  return (
    <p className="text-sm text-slate-600" data-testid="memory-history-empty">
      No memory samples of {what} yet: Ferry records one a minute while the host answers.
    </p>
  );
}

/** A host's memory over time: used (guests and the rest) against the total, one sample a minute. */
export function HostMemoryChart({ points, name }: { points: HostMemorySeries[]; name: string }) {
  if (points.length === 0) return <Empty what={name} />;
  const data = points.map((p) => ({
    t: Date.parse(p.at),
    guests: p.guestsMiB,
    other: Math.max(0, p.totalMiB - p.freeMiB - p.guestsMiB),
    total: p.totalMiB,
  }));
  const last = points[points.length - 1];
  return (
    <figure data-testid="memory-history" data-points={points.length}>
      <div className="h-48 w-full">
        <ResponsiveContainer>
          <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} />
            <XAxis {...timeAxis(points)} />
            <YAxis
              fontSize={11}
              width={72}
              domain={[0, last.totalMiB]}
              ticks={[0, 0.25, 0.5, 0.75, 1].map((q) => Math.round(q * last.totalMiB))}
              tickFormatter={(v: number) => formatMiB(v)}
            />
            <Tooltip
              labelFormatter={(v) => formatLocal(new Date(Number(v)).toISOString())}
              formatter={(v) => formatMiB(Number(v))}
            />
            <Area
              type="stepAfter"
              dataKey="other"
              name="host and dom0"
              stackId="m"
              stroke={chart.muted}
              fill={chart.muted}
              isAnimationActive={false}
            />
            <Area
              type="stepAfter"
              dataKey="guests"
              name="guests"
              stackId="m"
              stroke={chart.secondary}
              fill={chart.secondary}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="text-xs text-slate-600">
        Used memory, last 24 h ({points.length} sample{points.length === 1 ? "" : "s"}): guests in blue, the host's own
        use in grey, up to the total of {formatMiB(last.totalMiB)}. Now {formatMiB(last.freeMiB)} free.
      </figcaption>
    </figure>
  );
}

export interface DomainMemorySeries {
  at: string;
  memoryMiB: number;
  hostName: string;
}

/** A domain's memory over time, across the hosts it ran on (a move shows as a change of host in the tooltip). */
export function DomainMemoryChart({ points, name }: { points: DomainMemorySeries[]; name: string }) {
  if (points.length === 0) return <Empty what={name} />;
  const data = points.map((p) => ({ t: Date.parse(p.at), memory: p.memoryMiB, host: p.hostName }));
  const top = Math.max(...points.map((p) => p.memoryMiB)) * 1.25;
  // the hosts in the order it ran on them (hostA, then hostB, then hostA again)
  const hosts = points.map((p) => p.hostName).filter((h, i, all) => i === 0 || all[i - 1] !== h);
  return (
    <figure data-testid="memory-history" data-points={points.length}>
      <div className="h-40 w-full">
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} />
            <XAxis {...timeAxis(points)} />
            <YAxis
              fontSize={11}
              width={72}
              domain={[0, top]}
              ticks={[0, 0.5, 1].map((q) => Math.round(q * top))}
              tickFormatter={(v: number) => formatMiB(v)}
            />
            <Tooltip
              labelFormatter={(v) => formatLocal(new Date(Number(v)).toISOString())}
              formatter={(v, _n, item) => [`${formatMiB(Number(v))} on ${item.payload.host}`, "memory"]}
            />
            <Line
              type="stepAfter"
              dataKey="memory"
              stroke={chart.primary}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="text-xs text-slate-600">
        Memory, last 24 h ({points.length} sample{points.length === 1 ? "" : "s"}) on {hosts.join(", then ")}.
      </figcaption>
    </figure>
  );
}
