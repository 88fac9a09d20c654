"use client";
import type { Plan } from "@/lib/evacuate/plan";
import { formatBytes, formatMs } from "@/lib/format-bytes";
import { count, formatMiB } from "@/lib/format";
import { PlanTimeline } from "./plan-timeline";
import { Button } from "../ui/button";
import { TableScroll } from "../table-scroll";

// A plan as the operator reads it before anything moves: an evacuation's, a return home's, or a group move's.

const optionWords = {
  "move-by-save-restore": "move by save/restore (stops it for the whole transfer)",
  "save-to-image": "save it to an image and leave it",
  "shut-down": "shut it down",
  keep: "keep it here (maintenance cannot complete)",
} as const;

/** A plan before it runs: the moves in order with their forecasts, the timeline, what cannot go and why, and Run. */
export function PlanView({
  plan,
  kind,
  onRun,
  running,
}: {
  plan: Plan;
  kind: "evacuate" | "return" | "group";
  onRun(): void;
  /** the run was asked and has not answered yet */
  running?: boolean;
}) {
  const over = plan.candidates.filter((c) => c.overMaxDowntime.length);
  const byCopy = plan.moves.filter((m) => m.how === "save-restore");
  return (
    <div className="mt-3 space-y-3" data-testid="plan" data-concurrency={plan.concurrency}>
      <p className="text-sm" data-testid="plan-summary">
        {plan.moves.length ? (
          <>
            <b>{plan.moves.length}</b>{" "}
            {kind === "return" ? "domains come home" : plan.moves.length === 1 ? "domain moves" : "domains move"},{" "}
            <b>{plan.concurrency}</b> at a time: about <b data-testid="plan-total">{formatMs(plan.totalMs)}</b> in all
            (no plan can beat {formatMs(plan.boundMs)}: the memory
            {plan.moves.some((m) => m.diskCopy) ? " and the disks copied" : ""} ÷ the link's speed).
            {byCopy.length > 0 && (
              <span data-testid="plan-save-restore">
                {" "}
                {byCopy.length === 1 ? `${byCopy[0].domain} moves` : `${byCopy.length} of them move`} by save/restore,
                stopped for the whole move (
                {byCopy.map((m) => `${m.domain} about ${formatMs(m.downtimeMs)}`).join(", ")}): no host can take{" "}
                {byCopy.length === 1 ? "it" : "them"} live.
              </span>
            )}
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
        <TableScroll label="The plan's moves">
          <table className="stack-on-phone w-full min-w-[40rem] text-left text-sm" data-testid="plan-moves">
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
                  <td className="py-1" data-label="Order">
                    {m.order}
                  </td>
                  <td data-label="Domain">
                    {m.domain} <span className="text-xs text-slate-500">{formatMiB(m.memoryMiB)}</span>
                  </td>
                  <td data-label="Link">
                    {m.from} → <b>{m.target}</b>
                    {m.sharing > 1 && <span className="text-xs text-slate-500"> (shared by {m.sharing})</span>}
                  </td>
                  <td data-label="Starts">{m.startMs ? `after ${formatMs(m.startMs)}` : "at once"}</td>
                  <td data-label="Takes">
                    {formatMs(m.durationMs)}
                    {m.diskCopy && (
                      <span className="block text-xs text-slate-500" data-testid={`plan-disks-${m.domain}`}>
                        with its disks: {formatBytes(m.diskCopy.bytes)} copied first, about {formatMs(m.diskCopy.ms)}
                      </span>
                    )}
                  </td>
                  <td data-label="Downtime (max)">
                    {m.how === "save-restore" ? (
                      <span data-testid={`plan-save-restore-${m.domain}`}>
                        stopped {formatMs(m.downtimeMs)}{" "}
                        <span className="block text-xs text-slate-500">
                          by save/restore: no host can take it live; its memory and disks are copied while it is
                          stopped, after the live moves
                        </span>
                      </span>
                    ) : (
                      <>
                        {formatMs(m.downtimeMs)}{" "}
                        <span className="text-xs text-slate-500">({formatMs(m.maxDowntimeMs)})</span>
                      </>
                    )}
                  </td>
                  <td data-label="Target free after">{formatMiB(m.targetFreeAfterMiB)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {plan.moves.length > 0 && <PlanTimeline plan={plan} />}
      {plan.left.length > 0 && (
        <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm" data-testid="plan-left">
          <p className="font-medium">
            {kind === "group"
              ? "Does not move:"
              : plan.complete
                ? "Stays (not running):"
                : "Cannot go live — the host cannot be emptied by this plan:"}
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
        <Button kind="primary" onClick={onRun} disabled={running} data-testid="plan-run">
          {running
            ? "Starting…"
            : kind === "return"
              ? "Bring them home"
              : kind === "group"
                ? `Move ${count(plan.moves.length, "domain")}`
                : "Run this plan"}
        </Button>
      )}
    </div>
  );
}
