import type { PlanDomain, PlanInput, PlannedMove, PlanTarget } from "./plan";

// When each placed move of a plan starts (lib/evacuate/plan.ts places them and weighs these): k moves at once in
// order, sharing links as they run (one at a time: each next move into another target follows the one before onto
// the link); or one move per link at a time, moves on other links beside it.

type Placed = { domain: PlanDomain; target: PlanTarget };
/** a domain placed on its target, and the target's free memory after it (and the ones placed before it) */
export type PlacedMove = Placed & { freeAfter: number };
const fromOf = (input: PlanInput, p: Placed) => p.domain.from?.name ?? input.source.name;
/** the links a move uses: with host sharing, its source's and its target's */
export const linksOf = (input: PlanInput, p: Placed) =>
  input.shareBy === "pair"
    ? [`${fromOf(input, p)}|${p.target.name}`]
    : [`out:${fromOf(input, p)}`, `in:${p.target.name}`];
export const bpsOf = (input: PlanInput, p: Placed) => input.linkBps(fromOf(input, p), p.target.name);

/**
 * Runs the placed moves with `k` at once, in order (priority first, then the longest first, which keeps the
 * makespan short): each move starts when a slot frees, and shares its link with the moves planned on the
 * same link at once (at most k), so its forecast is taken at that share of the link's bandwidth.
 */
export function schedule(input: PlanInput, placed: PlacedMove[], k: number) {
  const perLink = new Map<string, number>();
  for (const p of placed) for (const l of linksOf(input, p)) perLink.set(l, (perLink.get(l) ?? 0) + 1);
  const timed = placed.map((p) => {
    const sharing = Math.min(k, Math.max(...linksOf(input, p).map((l) => perLink.get(l)!)));
    const f = input.forecast(p.domain.name, p.target.name, bpsOf(input, p) / sharing);
    return { ...p, sharing, f, durationMs: input.overheadMs + f.totalMs };
  });
  timed.sort((a, b) => b.domain.priority - a.domain.priority || b.durationMs - a.durationMs);
  const slots = Array.from({ length: k }, () => 0);
  const moves: PlannedMove[] = (k === 1 ? followOrder(timed) : timed).map((t, i) => {
    const s = slots.indexOf(Math.min(...slots));
    const startMs = slots[s];
    slots[s] = startMs + t.durationMs;
    return {
      domain: t.domain.name,
      from: t.domain.from?.name ?? input.source.name,
      fromId: t.domain.from?.id ?? input.source.id,
      target: t.target.name,
      targetId: t.target.id,
      order: i + 1,
      memoryMiB: t.domain.memoryMiB,
      priority: t.domain.priority,
      startMs,
      durationMs: t.durationMs,
      downtimeMs: t.f.downtimeMs,
      maxDowntimeMs: t.domain.maxDowntimeMs,
      sharing: t.sharing,
      verdict: t.f.verdict,
      targetFreeAfterMiB: t.freeAfter,
      ...(t.f.diskCopy ? { diskCopy: t.f.diskCopy } : {}),
    };
  });
  const over = moves.filter((m) => m.downtimeMs > m.maxDowntimeMs).map((m) => m.domain);
  return { moves, totalMs: Math.max(0, ...moves.map((m) => m.startMs + m.durationMs)), over };
}

/**
 * One at a time, in the order the runner takes the moves (lib/evacuate/runner.ts, followable): after each, the first
 * waiting move of the same priority into another target follows it onto the link — its checks ran while the one
 * before it sent, so only its transfer counts; a move into the same target (none other waiting) pays its checks.
 */
function followOrder<T extends Placed & { f: { totalMs: number }; durationMs: number }>(timed: T[]): T[] {
  const left = [...timed];
  const out: T[] = [];
  while (left.length) {
    const prev = out.at(-1);
    const i = prev
      ? left.findIndex((t) => t.domain.priority === left[0].domain.priority && t.target.name !== prev.target.name)
      : -1;
    const [t] = left.splice(Math.max(0, i), 1);
    out.push(i >= 0 ? { ...t, durationMs: t.f.totalMs } : t);
  }
  return out;
}

/**
 * One move per link at a time, as many at once as there are free links (up to `cap`): each move alone on its links,
 * so its downtime is its own (a guessed dirty rate is safe), and moves between other hosts run beside it. List
 * scheduling: at each moment, the first waiting moves (priority first, then the longest) whose links are free start.
 */
export function scheduleByLink(input: PlanInput, placed: PlacedMove[], cap: number) {
  const waiting = placed
    .map((p) => {
      const f = input.forecast(p.domain.name, p.target.name, bpsOf(input, p));
      return { ...p, f, durationMs: input.overheadMs + f.totalMs, links: linksOf(input, p) };
    })
    .sort((a, b) => b.domain.priority - a.domain.priority || b.durationMs - a.durationMs);
  const active: { end: number; links: string[] }[] = [];
  const moves: PlannedMove[] = [];
  let t = 0;
  let peak = 0;
  while (waiting.length) {
    for (let i = 0; i < waiting.length && active.length < cap; ) {
      const w = waiting[i];
      if (w.links.some((l) => active.some((a) => a.links.includes(l)))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      active.push({ end: t + w.durationMs, links: w.links });
      moves.push({
        domain: w.domain.name,
        from: w.domain.from?.name ?? input.source.name,
        fromId: w.domain.from?.id ?? input.source.id,
        target: w.target.name,
        targetId: w.target.id,
        order: moves.length + 1,
        memoryMiB: w.domain.memoryMiB,
        priority: w.domain.priority,
        startMs: t,
        durationMs: w.durationMs,
        downtimeMs: w.f.downtimeMs,
        maxDowntimeMs: w.domain.maxDowntimeMs,
        sharing: 1,
        verdict: w.f.verdict,
        targetFreeAfterMiB: w.freeAfter,
        ...(w.f.diskCopy ? { diskCopy: w.f.diskCopy } : {}),
      });
    }
    peak = Math.max(peak, active.length);
    t = Math.min(...active.map((a) => a.end));
    for (let i = active.length - 1; i >= 0; i--) if (active[i].end <= t) active.splice(i, 1);
  }
  return { moves, totalMs: Math.max(0, ...moves.map((m) => m.startMs + m.durationMs)), peak };
}
