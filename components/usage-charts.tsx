"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chart } from "@/components/chart-colors";
import { formatLocal } from "@/lib/format";
import { timeAxis } from "./memory-chart";

// CPU and network over time, from the same samples as memory (lib/inventory/usage-history.ts): each point is the
// rate since the previous sample, so the first sample of a series has none.

interface Series {
  key: string;
  name: string;
  color: string;
}

/** A line chart of values over time (a rate, a share, a spread), drawn the same on every page. */
export function RateChart({
  points,
  series,
  unit,
  top,
  testId,
  caption,
  empty = "Not enough samples yet: a rate needs two, a minute apart.",
}: {
  points: { at: string; [series: string]: unknown }[];
  series: Series[];
  unit(v: number): string;
  /** the axis's top (a share's 100 %), or null: from the data */
  top: number | null;
  testId: string;
  caption: string;
  /** what it says with nothing to draw */
  empty?: string;
}) {
  const data: Record<string, unknown>[] = points
    .filter((p) => series.some((s) => p[s.key] !== null && p[s.key] !== undefined))
    .map((p) => ({ ...p, t: Date.parse(p.at) }));
  if (data.length === 0)
    return (
      <p className="text-sm text-slate-600" data-testid={`${testId}-empty`}>
        {empty}
      </p>
    );
  const max = Math.max(1e-9, ...data.flatMap((p) => series.map((s) => Number(p[s.key] ?? 0))));
  const ceiling = top ?? max * 1.25;
  return (
    <figure data-testid={testId} data-points={data.length}>
      <div className="h-40 w-full">
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} />
            <XAxis {...timeAxis(points)} />
            <YAxis
              fontSize={11}
              width={72}
              domain={[0, ceiling]}
              ticks={[0, 0.5, 1].map((q) => q * ceiling)}
              tickFormatter={(v: number) => unit(v)}
            />
            <Tooltip
              labelFormatter={(v) => formatLocal(new Date(Number(v)).toISOString())}
              formatter={(v) => unit(Number(v))}
            />
            {series.length > 1 && <Legend wrapperStyle={{ fontSize: 11, color: "var(--color-slate-700)" }} />}
            {series.map((s) => (
              <Line
                key={s.key}
                type="stepAfter"
                dataKey={s.key}
                name={s.name}
                stroke={s.color}
                dot={false}
                strokeWidth={2}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="text-xs text-slate-600">{caption}</figcaption>
    </figure>
  );
}

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
const mibps = (v: number) => {
  const m = v / 1048576;
  return `${m.toFixed(m < 10 ? 2 : 0)} MiB/s`;
};

export interface HostRatePoint {
  at: string;
  cpuPct: number | null;
  rxBps: number | null;
  txBps: number | null;
  nic: string | null;
}

/** A host's CPU (every domain's, Domain-0 included, of all its CPUs) and its migration NIC's traffic. */
export function HostUsageCharts({ points, nrCpus }: { points: HostRatePoint[]; nrCpus: number | null }) {
  const nic = [...points].reverse().find((p) => p.nic)?.nic ?? null;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div>
        <h3 className="mb-1 text-xs font-semibold text-slate-700">CPU</h3>
        <RateChart
          points={points as unknown as { at: string }[]}
          series={[{ key: "cpuPct", name: "all domains", color: chart.primary }]}
          unit={pct}
          top={100}
          testId="cpu-history"
          caption={`CPU time of every domain (Domain-0 included) as the toolstack lists it, as a share of the host's ${nrCpus ?? "?"} CPUs.`}
        />
      </div>
      <div>
        <h3 className="mb-1 text-xs font-semibold text-slate-700">Network{nic ? ` (${nic})` : ""}</h3>
        <RateChart
          points={points as unknown as { at: string }[]}
          series={[
            { key: "txBps", name: "sent", color: chart.primary },
            { key: "rxBps", name: "received", color: chart.good },
          ]}
          unit={mibps}
          top={null}
          testId="net-history"
          caption={
            nic
              ? `Bytes on ${nic}, the device the host's route to the other hosts leaves by (migrations use it).`
              : "The host's route to the other hosts was not found: no network series."
          }
        />
      </div>
    </div>
  );
}

/** A domain's CPU, as a share of its vCPUs (a move restarts the count: no rate across the change of host). */
export function DomainCpuChart({ points, vcpus }: { points: { at: string; cpuPct: number | null }[]; vcpus: number }) {
  return (
    <RateChart
      points={points as unknown as { at: string }[]}
      series={[{ key: "cpuPct", name: "CPU", color: chart.primary }]}
      unit={pct}
      top={100}
      testId="cpu-history"
      caption={`CPU time as the toolstack lists it, as a share of its ${vcpus} vCPU${vcpus === 1 ? "" : "s"}.`}
    />
  );
}
