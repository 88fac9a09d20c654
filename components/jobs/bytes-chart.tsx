"use client";
import { useEffect, useRef, useState } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chart } from "@/components/chart-colors";
import { phaseLabel, type JobPhase, type JobView } from "@/lib/jobs/types";
import { formatBytes } from "@/lib/format-bytes";

/** Bytes sent over time (from the source NIC's counter) with each phase's start marked. */
export function BytesChart({ view }: { view: JobView }) {
  const t0 = view.samples[0]?.t ?? Date.parse(view.summary.startedAt ?? view.summary.createdAt);
  const data = view.samples.map((s) => ({ t: (s.t - t0) / 1000, bytes: s.bytes }));
  const memory = view.summary.memoryMiB * 1024 * 1024;
  const marks = (Object.entries(view.phaseStartedAt) as [JobPhase, number][])
    .filter(([p]) => p !== "pre-migration" && p !== "done")
    .map(([p, at]) => ({ phase: p, t: (at - t0) / 1000 }))
    .sort((a, b) => a.t - b.t);
  // phases of the handshake come within milliseconds: label a line only when its name fits between it and the last
  // labelled one at the chart's width (a phone's too), at about 5.5 px a character of the 10 px labels
  const box = useRef<HTMLDivElement>(null);
  // the chart's box exists once two samples are in (before, the empty state shows): measure it from then
  const drawn = data.length >= 2;
  const [width, setWidth] = useState(640);
  useEffect(() => {
    if (!drawn || !box.current || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(([e]) => setWidth(e.contentRect.width));
    ro.observe(box.current);
    return () => ro.disconnect();
  }, [drawn]);
  const plotPx = Math.max(100, width - 72 - 8 - 24);
  const span = Math.max(0.001, data.at(-1)?.t ?? 1);
  const labelled: ((typeof marks)[number] & { label: boolean })[] = [];
  let last: { t: number; text: string } | null = null;
  for (const m of marks) {
    const text = phaseLabel(view.summary.kind, m.phase);
    const room = last ? ((m.t - last.t) / span) * plotPx : Number.POSITIVE_INFINITY;
    const label = room > (last ? last.text.length + text.length : 0) * 2.75 + 6;
    labelled.push({ ...m, label });
    if (label) last = { t: m.t, text };
  }
  if (data.length < 2)
    return (
      <p
        className="rounded border border-dashed border-slate-200 p-6 text-center text-sm text-slate-500"
        data-testid="chart-empty"
      >
        The chart fills in as bytes go out.
      </p>
    );
  return (
    <div
      ref={box}
      className="h-64 w-full"
      data-testid="bytes-chart"
      role="img"
      aria-label={`bytes sent over time: ${formatBytes(view.summary.bytesSent)} in ${data.at(-1)!.t.toFixed(1)} s`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} />
          <XAxis
            dataKey="t"
            type="number"
            domain={[0, "dataMax"]}
            tickFormatter={(v: number) => `${v.toFixed(1)} s`}
            fontSize={11}
          />
          <YAxis
            tickFormatter={(v: number) => formatBytes(v)}
            width={72}
            fontSize={11}
            domain={[0, (max: number) => Math.max(max, memory)]}
          />
          <Tooltip formatter={(v) => formatBytes(Number(v))} labelFormatter={(v) => `${Number(v).toFixed(2)} s`} />
          <ReferenceLine
            y={memory}
            stroke={chart.muted}
            strokeDasharray="4 4"
            label={{ value: "domain memory", fontSize: 10, position: "insideTopLeft" }}
          />
          {labelled.map((m) => (
            <ReferenceLine
              key={m.phase}
              x={m.t}
              stroke={chart.primary}
              strokeDasharray="2 3"
              label={
                m.label ? { value: phaseLabel(view.summary.kind, m.phase), fontSize: 10, position: "top" } : undefined
              }
            />
          ))}
          <Line
            type="monotone"
            dataKey="bytes"
            stroke={chart.secondary}
            dot={false}
            strokeWidth={2}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
