import type { MoveCheckResult } from "../jobs/preflight";
import type { AskedDomain } from "./ask";
import { isComplete, type Plan, type PlacementRule, type PlannedMove, type PlanTarget } from "./plan";

// An evacuation's second way out (issue 31): a domain no host can take live — its disks are not shared and its
// toolstack copies none live (xl, xm), or its host pair refuses a live migration for another reason — may still leave
// by a move by save/restore, which stops it, copies its memory image and its disks (lib/jobs/kinds/move-disks.ts) and
// restores it on the target. The plan proposes such a move where the move's own checks pass, after every live move and
// one at a time, with the outage those checks state; the operator reads it before Run. Not moved this way: a domain
// an affinity rule ties to others (its group moves together or not at all), and one left for its maximum downtime
// (a limit its operator set; its entry keeps "move by save/restore" as a choice for them).

export type MoveChecker = (domain: string, sourceId: string, targetId: string) => Promise<MoveCheckResult>;

/** The live plan with the domains it could not place live moved by save/restore where their checks pass. */
export async function addMovesBySaveRestore(
  plan: Plan,
  domains: AskedDomain[],
  targets: PlanTarget[],
  rules: PlacementRule[],
  checkMove: MoveChecker,
): Promise<Plan> {
  const byName = new Map(domains.map((d) => [d.name, d]));
  const tied = new Set(rules.filter((r) => r.kind === "affinity").flatMap((r) => r.domains));
  // each target's free memory and its domains once the live moves are done
  const free = new Map(targets.map((t) => [t.name, t.freeMiB]));
  const holds = new Map(targets.map((t) => [t.name, new Set(t.domains)]));
  for (const m of plan.moves) {
    free.set(m.target, (free.get(m.target) ?? 0) - m.memoryMiB);
    holds.get(m.target)?.add(m.domain);
  }
  const clashes = (domain: string, target: string) =>
    rules.some(
      (r) =>
        r.kind === "anti-affinity" &&
        r.domains.includes(domain) &&
        r.domains.some((o) => o !== domain && holds.get(target)?.has(o)),
    );
  const moves: PlannedMove[] = [...plan.moves];
  const left = [];
  let at = plan.totalMs;
  for (const l of plan.left) {
    const d = byName.get(l.domain);
    const liveRefused = l.options.includes("save-to-image") && !l.options.includes("move-by-save-restore");
    if (!d?.running || !liveRefused || tied.has(d.name)) {
      left.push(l);
      continue;
    }
    const candidates = targets
      .filter((t) => t.eligible.ok && (free.get(t.name) ?? 0) >= d.memoryMiB && !clashes(d.name, t.name))
      .sort((a, b) => free.get(b.name)! - free.get(a.name)!);
    const refusals: string[] = [];
    let chosen: { target: PlanTarget; outageMs: number } | null = null;
    for (const t of candidates) {
      const r = await checkMove(d.name, d.view.id, t.id).catch((e: Error) => e);
      const failed =
        r instanceof Error ? [r.message] : r.checks.filter((c) => c.status === "fail").map((c) => c.reason);
      if (!failed.length && !(r instanceof Error)) {
        chosen = { target: t, outageMs: r.outage.ms };
        break;
      }
      refusals.push(`${t.name}: ${failed.join(" ")}`);
    }
    if (!chosen) {
      left.push(refusals.length ? { ...l, reason: `${l.reason} Nor by save/restore: ${refusals.join("; ")}.` } : l);
      continue;
    }
    const { target, outageMs } = chosen;
    free.set(target.name, free.get(target.name)! - d.memoryMiB);
    holds.get(target.name)!.add(d.name);
    moves.push({
      domain: d.name,
      from: d.view.name,
      fromId: d.view.id,
      target: target.name,
      targetId: target.id,
      order: moves.length + 1,
      memoryMiB: d.memoryMiB,
      priority: d.priority,
      startMs: at,
      durationMs: outageMs,
      downtimeMs: outageMs,
      maxDowntimeMs: d.maxDowntimeMs,
      sharing: 1,
      verdict: "converges",
      targetFreeAfterMiB: free.get(target.name)!,
      how: "save-restore",
    });
    at += outageMs;
  }
  return { ...plan, moves, left, totalMs: at, complete: isComplete(left) };
}
