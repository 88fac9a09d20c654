"use client";
import { useState } from "react";
import { TableScroll } from "@/components/table-scroll";
import { chart } from "@/components/chart-colors";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { JobView } from "@/lib/jobs/types";
import { convergenceOf, roundsOf } from "@/lib/jobs/rounds";
import { formatBytes, formatMs } from "@/lib/format-bytes";
import { count } from "@/lib/format";
import { cancelJob, tuneJob } from "./api";
import { suggestMaxDowntimeMs } from "@/lib/forecast/model";
import { stallPolicyOf, type StallPolicy } from "@/lib/jobs/stall";

const MiB = 1024 * 1024;

/**
 * Pre-copy round by round (libvirt/QEMU): remaining memory as bars, dirty rate against bandwidth and
 * the expected downtime as lines. When remaining memory stops shrinking it says so and offers what
 * libvirt allows: a higher maximum downtime, more bandwidth, post-copy (if allowed at launch), abort.
 */
export function RoundsView({
  view,
  canTune,
  postcopyAllowed,
}: {
  view: JobView;
  canTune: boolean;
  postcopyAllowed: boolean;
}) {
  // the answer to an action outlives the banner (which goes once the migration converges or ends)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const rounds = roundsOf(view.jobinfo);
  const final = view.jobinfo.findLast((j) => j.final);
  const total = final?.iteration ?? rounds.at(-1)?.round ?? 0;
  const conv = convergenceOf(rounds);
  const running = view.summary.status === "running";
  // QEMU's figures, or those of a toolstack that names itself in the payload (Xen's libxc through its log)
  const source = view.jobinfo.find((j) => j.source)?.source ?? null;
  const xcRounds = view.jobinfo.filter((j) => j.pagesSent !== undefined);
  const reported = new Map(view.jobinfo.filter((j) => !j.final && j.iteration !== null).map((j) => [j.iteration, j]));
  // libxc's last round runs with the guest paused and reports no rates: its tick says so, rather than no points
  const paused = new Set(
    rounds.filter((r) => r.remainingBytes === 0 && reported.get(r.round)?.bandwidthBps == null).map((r) => r.round),
  );
  const data = rounds.map((r) => ({
    round: r.round,
    remaining: r.remainingBytes / MiB,
    // a round that reported no rate (libxc's last, paused round) leaves a gap rather than a drop to zero
    dirty: reported.get(r.round)?.dirtyPagesPerSec == null ? null : r.dirtyBps / MiB,
    bandwidth: reported.get(r.round)?.bandwidthBps == null ? null : r.bandwidthBps / MiB,
    downtime: r.expectedDowntimeMs,
  }));
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="rounds">
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold" data-testid="rounds-source">
          Pre-copy rounds ({source ?? "QEMU's own figures"})
        </h2>
        <p className="text-xs text-slate-600">
          rounds <b data-testid="rounds-total">{total}</b>
          {final && (
            <>
              {" "}
              · QEMU: total downtime <b data-testid="qemu-downtime">{formatMs(final.totalDowntimeMs)}</b>,{" "}
              {formatBytes(final.memoryProcessed ?? 0)} of memory in {formatMs(final.elapsedMs)}
            </>
          )}
        </p>
      </div>
      {running && conv.state === "not-converging" && source && (
        <p role="alert" className="mb-2 rounded border border-red-300 bg-red-50 p-2 text-xs text-red-800">
          <b>Not converging.</b> {conv.reason} Xen stops after 29 rounds or 3× the memory sent and copies the rest with
          the domain suspended: expect a longer stop.
        </p>
      )}
      {running && conv.state === "not-converging" && !source && (
        <NotConverging
          reason={conv.reason}
          jobId={view.summary.id}
          canTune={canTune}
          postcopyAllowed={postcopyAllowed}
          suggestedMs={suggestMaxDowntimeMs(rounds.at(-1)?.expectedDowntimeMs ?? 1000)}
          stall={stallPolicyOf(view.summary.options ?? undefined)}
          onMessage={setMessage}
        />
      )}
      {message && (
        <p
          className={`mb-2 text-xs ${message.ok ? "text-emerald-700" : "text-red-700"}`}
          role="status"
          data-testid="tune-message"
        >
          {message.text}
        </p>
      )}
      {running && conv.state === "converging" && (
        <p className="mb-2 text-xs text-emerald-700" data-testid="convergence" data-state="converging">
          {conv.reason}
        </p>
      )}
      {data.length === 0 ? (
        <p
          className="rounded border border-dashed border-slate-200 p-6 text-center text-sm text-slate-500"
          data-testid="rounds-empty"
        >
          {final
            ? `The migration finished in ${count(total, "round")} before a poll (every 500 ms) caught one.`
            : source
              ? "Rounds appear as xend writes them to its log (at the end of each round)."
              : "Rounds appear as libvirt reports them (every 500 ms)."}
        </p>
      ) : (
        <div
          className="h-64 w-full"
          data-testid="rounds-chart"
          role="img"
          aria-label={`${rounds.length} pre-copy rounds; remaining memory ${data.map((d) => `${d.remaining.toFixed(0)} MiB`).join(", ")}`}
        >
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 16, right: 8, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke={chart.grid} />
              <XAxis
                dataKey="round"
                fontSize={11}
                tickFormatter={(v: number) => (paused.has(v) ? `round ${v} (paused)` : `round ${v}`)}
              />
              {/* memory left (MiB) and rates (MiB/s) are different quantities: each has its own axis */}
              <YAxis yAxisId="mib" fontSize={11} width={64} tickFormatter={(v: number) => `${v.toFixed(0)} MiB`} />
              <YAxis
                yAxisId="rate"
                orientation="right"
                fontSize={11}
                width={72}
                tickFormatter={(v: number) => `${v.toFixed(0)} MiB/s`}
              />
              <YAxis
                yAxisId="ms"
                orientation="right"
                fontSize={11}
                width={56}
                hide={!data.some((d) => d.downtime !== null)}
                tickFormatter={(v: number) => `${v} ms`}
              />
              <Tooltip
                formatter={(v, name) =>
                  name === "expected downtime"
                    ? `${v} ms`
                    : `${Number(v).toFixed(1)} ${name === "remaining memory" ? "MiB" : "MiB/s"}`
                }
              />
              {/* the legend's words in the text colour: a light series colour (remaining memory) is not legible */}
              <Legend
                wrapperStyle={{ fontSize: 11 }}
                formatter={(value) => <span style={{ color: "var(--color-slate-700)" }}>{value}</span>}
              />
              <Bar
                yAxisId="mib"
                dataKey="remaining"
                name="remaining memory"
                fill={chart.remaining}
                isAnimationActive={false}
              />
              <Line
                yAxisId="rate"
                dataKey="dirty"
                name="dirty rate"
                stroke={chart.alarm}
                strokeWidth={2}
                isAnimationActive={false}
              />
              <Line
                yAxisId="rate"
                dataKey="bandwidth"
                name="bandwidth"
                stroke={chart.primary}
                strokeWidth={2}
                isAnimationActive={false}
              />
              <Line
                yAxisId="ms"
                dataKey="downtime"
                name="expected downtime"
                stroke={chart.warn}
                strokeDasharray="4 3"
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      {source && xcRounds.length > 0 && (
        <TableScroll label="Each round as libxc reported it">
          <table className="stack-on-phone mt-2 w-full min-w-[28rem] text-left text-xs" data-testid="rounds-table">
            <thead className="text-slate-600">
              <tr>
                <th>Round</th>
                <th>Pages sent</th>
                <th>Pages skipped</th>
                <th>Sent (of memory)</th>
                <th>Left dirty</th>
              </tr>
            </thead>
            <tbody>
              {xcRounds.map((r) => (
                <tr key={r.iteration} className="border-t border-slate-100" data-testid="rounds-row">
                  <td data-label="Round">{r.iteration}</td>
                  <td data-label="Pages sent">{r.pagesSent}</td>
                  <td data-label="Pages skipped">{r.pagesSkipped}</td>
                  <td data-label="Sent (of memory)" data-testid="rounds-row-share">
                    {shareOfMemory(r)}
                  </td>
                  <td data-label="Left dirty">{formatBytes(r.memoryRemaining ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** suggestedMs: a little above the last round's expected downtime, so QEMU could stop the guest at the next sync. */
function NotConverging({
  reason,
  stall,
  jobId,
  canTune,
  postcopyAllowed,
  suggestedMs,
  onMessage: setMessage,
}: {
  reason: string;
  jobId: string;
  canTune: boolean;
  postcopyAllowed: boolean;
  suggestedMs: number;
  stall: StallPolicy;
  onMessage(m: { ok: boolean; text: string }): void;
}) {
  const [ms, setMs] = useState(String(suggestedMs));
  const act = (p: Promise<unknown>, done: string) =>
    p.then(
      () => setMessage({ ok: true, text: done }),
      (e: Error) => setMessage({ ok: false, text: e.message }),
    );
  return (
    <div
      className="mb-3 rounded border border-red-300 bg-red-50 p-3 text-sm"
      role="alert"
      data-testid="convergence"
      data-state="not-converging"
    >
      <p>
        <b>Not converging.</b> {reason} With a maximum downtime of about {formatMs(suggestedMs)} QEMU could stop the
        guest and copy the rest.
      </p>
      <p className="mt-1 text-xs" data-testid="stall-policy">
        If pre-copy makes no progress for {Math.round(stall.afterMs / 1000)} s, Ferry will{" "}
        {stall.action === "postcopy" ? "switch it to post-copy" : "abort it (the guest keeps running on the source)"},
        as chosen at launch.
      </p>
      {canTune && (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <label className="text-xs">
            Maximum downtime
            <input
              className="ml-1 w-20 rounded border border-slate-300 px-1 py-0.5"
              value={ms}
              onChange={(e) => setMs(e.target.value)}
              inputMode="numeric"
              data-testid="tune-downtime"
            />{" "}
            ms
          </label>
          <button
            type="button"
            className="rounded border border-slate-300 bg-white px-2 py-1 text-xs"
            data-testid="tune-downtime-apply"
            onClick={() =>
              act(
                tuneJob(jobId, { maxDowntimeMs: Number(ms) }),
                `Maximum downtime raised to ${ms} ms: QEMU stops the guest once the rest fits in it.`,
              )
            }
          >
            Raise maximum downtime
          </button>
          {postcopyAllowed ? (
            <button
              type="button"
              className="rounded border border-slate-300 bg-white px-2 py-1 text-xs"
              data-testid="tune-postcopy"
              onClick={() =>
                act(
                  tuneJob(jobId, { postcopy: true }),
                  "Switched to post-copy: the guest runs on the target and pulls the rest.",
                )
              }
            >
              Switch to post-copy
            </button>
          ) : (
            <span className="text-xs text-slate-600">
              Auto-converge and post-copy are chosen at launch: abort and start again with them.
            </span>
          )}
          <button
            type="button"
            className="rounded border border-red-300 bg-white px-2 py-1 text-xs text-red-700"
            data-testid="tune-abort"
            onClick={() => act(cancelJob(jobId), "Abort sent: the guest keeps running on the source.")}
          >
            Abort
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * What a libxc round sent, as a share of the domain's memory (round 1 about all of it, later rounds what was dirtied).
 * libxc's own percentage is how far through memory the round's scan got — about 95 % at every round's end.
 */
function shareOfMemory(r: { pagesSent?: number; pageSize: number | null; memoryTotal: number | null }): string {
  if (r.pagesSent === undefined || !r.memoryTotal) return "—";
  const share = (r.pagesSent * (r.pageSize ?? 4096)) / r.memoryTotal;
  return share >= 0.1 ? `${Math.round(share * 100)} %` : `${(share * 100).toFixed(1)} %`;
}
