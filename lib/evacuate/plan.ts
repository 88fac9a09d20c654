import type { Forecast } from "../forecast/model";
import { bpsOf, linksOf, schedule, scheduleByLink, type PlacedMove } from "./schedule";

// The evacuation planner: a pure function of what the inventory, the rules and the forecast say. It places
// every domain of the host (never overcommitting a target, never across toolstacks or CPUs, never onto a host
// in maintenance, respecting priorities and affinity rules), then chooses how many moves run at once: moves
// on one link share its bandwidth, which lengthens every round and raises every downtime, so it tries each
// concurrency the limits allow and keeps the shortest plan in which no domain exceeds its maximum downtime — or, when
// moves come from and go to several hosts (return home, group moves, balancing), one move per link at a time with
// moves on other links beside it (lib/evacuate/schedule.ts), when that is shorter.

export interface PlanDomain {
  name: string;
  memoryMiB: number;
  /** only a running (or idle) domain can move live */
  running: boolean;
  /** 0–100, higher moves first (default 50) */
  priority: number;
  /** the longest stop the operator allows it (default 300 ms) */
  maxDowntimeMs: number;
  /**
   * false when Ferry has never seen this domain's dirty rate (no earlier migration, no measurement): its
   * downtime cannot be bounded when it shares a link, so it moves alone on it
   */
  dirtyRateKnown?: boolean;
  /** where it runs now, when not on the plan's source (return home gathers domains from several hosts) */
  from?: { id: string; name: string };
}

export interface PlanTarget {
  id: string;
  name: string;
  /** what makes a live migration possible at all: toolstack, CPU, online, not in maintenance, not the source */
  eligible: { ok: true } | { ok: false; reason: string };
  freeMiB: number;
  /** domains already on it (for the affinity rules) */
  domains: string[];
}

export interface PlacementRule {
  name: string;
  kind: "anti-affinity" | "affinity";
  domains: string[];
}

export interface PlanInput {
  source: { id: string; name: string };
  domains: PlanDomain[];
  targets: PlanTarget[];
  rules: PlacementRule[];
  /** the forecast of one move at a given bandwidth (the link's, shared among the moves on it) */
  forecast(domain: string, target: string, bandwidthBps: number): Forecast;
  /** the link's bandwidth from → target */
  linkBps(from: string, target: string): number;
  /** moves out of one host the job engine runs at once */
  maxConcurrent: number;
  /** the operator's cap on moves at once, if any */
  cap?: number;
  /** Ferry's own cost per move (checks, SSH set-up), on top of the migration */
  overheadMs: number;
  /** return home: the target each domain must go to */
  fixedTargets?: Record<string, string>;
  /**
   * What moves share: "host" (default) — every move out of a host shares its network link, and every move into
   * a host shares its link (one migration NIC per host, the usual set-up); "pair" — only moves between the same
   * two hosts share (a dedicated link per pair).
   */
  shareBy?: "host" | "pair";
  /** why this domain cannot go to this target (the full checks: storage, reachability…), or null */
  refusal?(domain: string, target: string): string | null;
}

export interface PlannedMove {
  domain: string;
  from: string;
  fromId: string;
  target: string;
  targetId: string;
  order: number;
  memoryMiB: number;
  priority: number;
  startMs: number;
  durationMs: number;
  downtimeMs: number;
  maxDowntimeMs: number;
  /** how many moves share this move's link while it runs (as planned) */
  sharing: number;
  verdict: Forecast["verdict"];
  /** the target's free memory after this move and the ones planned before it */
  targetFreeAfterMiB: number;
  /** disks the target does not see, copied before the memory: their bytes in use and the time that takes (in durationMs) */
  diskCopy?: { bytes: number; ms: number };
  /**
   * "save-restore": a domain no host can take live, moved by save, copy and restore (lib/evacuate/by-save-restore.ts):
   * stopped for the whole move (downtimeMs is durationMs), after every live move. Absent: live.
   */
  how?: "save-restore";
}

export type LeftOption = "move-by-save-restore" | "save-to-image" | "shut-down" | "keep";

export interface LeftDomain {
  domain: string;
  memoryMiB: number;
  reason: string;
  /** what is possible instead; nothing is done without the operator choosing it */
  options: LeftOption[];
}

export interface Plan {
  source: string;
  moves: PlannedMove[];
  left: LeftDomain[];
  concurrency: number;
  totalMs: number;
  /** Σ (memory + disks copied) ÷ link bandwidth, per link, the longest: no plan can be faster */
  boundMs: number;
  /** what each concurrency would give: the planner's reasoning, shown to the operator */
  candidates: { concurrency: number; totalMs: number; overMaxDowntime: string[]; why?: string }[];
  /**
   * the plan runs one move per link at a time (moves on links of their own side by side, up to `concurrency`): the
   * runner starts a move only when no running move uses its links ("host": its source's out, its target's in; "pair":
   * the two hosts' link). Absent: moves start in order as slots free.
   */
  oneMovePerLink?: "host" | "pair";
  /** what the operator's cap costs against the best uncapped plan */
  capCostMs: number | null;
  /** the host can be emptied by this plan */
  complete: boolean;
}

const MiB = 1024 * 1024;

/** Places each domain: affinity groups as one unit, by priority then size (largest first). */
function place(input: PlanInput, exclude: ReadonlySet<string>) {
  const free = new Map(input.targets.map((t) => [t.name, t.freeMiB]));
  const holds = new Map(input.targets.map((t) => [t.name, new Set(t.domains)]));
  const placed: PlacedMove[] = [];
  const left: LeftDomain[] = [];
  const byName = new Map(input.domains.map((d) => [d.name, d]));
  const eligible = input.targets.filter((t) => t.eligible.ok);
  const refusals = input.targets.filter((t) => !t.eligible.ok).map((t) => (t.eligible as { reason: string }).reason);

  // units: an affinity group's running members move together; every other domain alone
  const grouped = new Set<string>();
  const units: PlanDomain[][] = [];
  for (const r of input.rules.filter((r) => r.kind === "affinity")) {
    const members = r.domains
      .map((n) => byName.get(n))
      .filter((d): d is PlanDomain => !!d && d.running && !exclude.has(d.name));
    if (members.length) {
      units.push(members);
      for (const m of members) grouped.add(m.name);
    }
  }
  for (const d of input.domains) {
    if (exclude.has(d.name)) continue;
    if (!d.running) {
      left.push({
        domain: d.name,
        memoryMiB: d.memoryMiB,
        reason: `${d.name} is not running (only defined on ${d.from?.name ?? input.source.name}): there is nothing to migrate live. It stays defined there; shut off, it does not keep the host busy.`,
        options: ["keep"],
      });
      continue;
    }
    if (!grouped.has(d.name)) units.push([d]);
  }
  const priority = (u: PlanDomain[]) => Math.max(...u.map((d) => d.priority));
  const size = (u: PlanDomain[]) => u.reduce((a, d) => a + d.memoryMiB, 0);
  units.sort((a, b) => priority(b) - priority(a) || size(b) - size(a));

  const antiOf = (name: string) => input.rules.filter((r) => r.kind === "anti-affinity" && r.domains.includes(name));
  for (const unit of units) {
    const need = size(unit);
    const names = unit.map((d) => d.name);
    const fixed = input.fixedTargets?.[names[0]];
    const why: string[] = [];
    const fits = (t: PlanTarget) => {
      if (fixed && t.name !== fixed) return false;
      for (const d of names) {
        const no = input.refusal?.(d, t.name);
        if (no) {
          why.push(`${t.name}: ${no.replace(/\.$/, "")}`);
          return false;
        }
      }
      const room = free.get(t.name)!;
      if (room - need < 0) {
        why.push(`${t.name} has ${room} MiB free of the ${need} MiB needed`);
        return false;
      }
      for (const d of names)
        for (const r of antiOf(d)) {
          const clash = r.domains.find((o) => o !== d && holds.get(t.name)!.has(o));
          if (clash) {
            why.push(`${t.name} holds ${clash} (anti-affinity rule "${r.name}")`);
            return false;
          }
        }
      return true;
    };
    const candidates = eligible.filter(fits);
    // the most room left after the move first, so that load spreads and tight hosts stay for what only fits there
    candidates.sort((a, b) => free.get(b.name)! - free.get(a.name)!);
    const chosen = candidates[0];
    if (!chosen) {
      const reason =
        fixed && !eligible.some((t) => t.name === fixed)
          ? `${fixed} cannot take it now: ${refusals.find((r) => r.includes(fixed)) ?? "it is not eligible"}.`
          : `No host can take ${names.join(" and ")} live: ${[...why, ...refusals].join("; ") || "there is no other host"}.`;
      for (const d of unit)
        left.push({
          domain: d.name,
          memoryMiB: d.memoryMiB,
          reason,
          options: ["save-to-image", "shut-down", "keep"],
        });
      continue;
    }
    const after = free.get(chosen.name)! - need;
    free.set(chosen.name, after);
    let running = free.get(chosen.name)! + need;
    for (const d of unit) {
      holds.get(chosen.name)!.add(d.name);
      running -= d.memoryMiB;
      placed.push({ domain: d, target: chosen, freeAfter: running });
    }
  }
  return { placed, left };
}

export function planEvacuation(input: PlanInput): Plan {
  // a domain that stands still longer than its maximum even alone on its link cannot go live: it is left
  // out with the reason and the alternatives, and the others are placed again without it
  const refused: LeftDomain[] = [];
  const exclude = new Set<string>();
  let placement = place(input, exclude);
  for (;;) {
    const tooLong = placement.placed.filter((p) => {
      const f = input.forecast(p.domain.name, p.target.name, bpsOf(input, p));
      if (f.downtimeMs <= p.domain.maxDowntimeMs && f.verdict !== "will-not-converge") return false;
      refused.push({
        domain: p.domain.name,
        memoryMiB: p.domain.memoryMiB,
        reason: `Even alone on the link to ${p.target.name} it would stand still about ${Math.round(f.downtimeMs)} ms, over its ${p.domain.maxDowntimeMs} ms maximum (${f.verdict.replace(/-/g, " ")}). ${f.reason}`,
        options: ["move-by-save-restore", "save-to-image", "shut-down", "keep"],
      });
      return true;
    });
    if (!tooLong.length) break;
    for (const p of tooLong) exclude.add(p.domain.name);
    placement = place(input, exclude);
  }
  const alone = placement.placed;
  const left = [...placement.left, ...refused];
  const limit = Math.max(1, Math.min(input.maxConcurrent, alone.length || 1));
  const candidates: Plan["candidates"] = [];
  let best: (ReturnType<typeof schedule> & { k: number }) | null = null;
  let bestUncapped: (ReturnType<typeof schedule> & { k: number }) | null = null;
  const unknown = alone.filter((p) => p.domain.dirtyRateKnown === false).map((p) => p.domain.name);
  for (let k = 1; k <= limit; k++) {
    const s = schedule(input, alone, k);
    // sharing a link with a guest whose dirty rate is a guess could stop it far longer than forecast
    const guessed = k > 1 && s.moves.some((m) => m.sharing > 1) ? unknown : [];
    candidates.push({
      concurrency: k,
      totalMs: s.totalMs,
      overMaxDowntime: [...new Set([...s.over, ...guessed])],
      ...(guessed.length
        ? {
            why: `${guessed.slice(0, 3).join(", ")}${guessed.length > 3 ? ` and ${guessed.length - 3} more` : ""} ${guessed.length > 1 ? "have" : "has"} never been migrated or measured: ${guessed.length > 1 ? "their" : "its"} dirty rate is a guess, so ${guessed.length > 1 ? "they move" : "it moves"} alone on the link`,
          }
        : {}),
    });
    if (s.over.length || guessed.length) continue;
    if (!bestUncapped || s.totalMs < bestUncapped.totalMs) bestUncapped = { ...s, k };
    if (input.cap !== undefined && k > input.cap) continue;
    if (!best || s.totalMs < best.totalMs) best = { ...s, k };
  }
  // one at a time always keeps each domain alone on its link: its downtime was checked above
  let chosen: ReturnType<typeof schedule> & { k: number; byLink?: true } = best ?? {
    ...schedule(input, alone, 1),
    k: 1,
  };
  // moves between different hosts need not wait for each other: one move per link, side by side where links differ
  const byLink = scheduleByLink(input, alone, input.cap ?? Number.POSITIVE_INFINITY);
  if (byLink.peak > 1) {
    candidates.push({
      concurrency: byLink.peak,
      totalMs: byLink.totalMs,
      overMaxDowntime: [],
      why: "one move per link at a time, moves on other links beside it",
    });
    if (byLink.totalMs < chosen.totalMs)
      chosen = { moves: byLink.moves, totalMs: byLink.totalMs, over: [], k: byLink.peak, byLink: true };
  }
  const links = new Map<string, { bytes: number; bps: number }>();
  // what crosses each link: the memory, and the disks copied first
  const diskBytes = new Map(chosen.moves.map((m) => [m.domain, m.diskCopy?.bytes ?? 0]));
  for (const p of alone)
    for (const key of linksOf(input, p)) {
      const l = links.get(key) ?? { bytes: 0, bps: bpsOf(input, p) };
      const bytes = p.domain.memoryMiB * MiB + (diskBytes.get(p.domain.name) ?? 0);
      links.set(key, { bytes: l.bytes + bytes, bps: Math.min(l.bps, bpsOf(input, p)) });
    }
  const boundMs = Math.max(0, ...[...links.values()].map((l) => (l.bytes / l.bps) * 1000));
  return {
    source: input.source.name,
    moves: chosen.moves,
    left,
    concurrency: chosen.k,
    totalMs: chosen.totalMs,
    boundMs,
    candidates,
    capCostMs: input.cap !== undefined && bestUncapped ? Math.max(0, chosen.totalMs - bestUncapped.totalMs) : null,
    ...(chosen.byLink ? { oneMovePerLink: input.shareBy ?? "host" } : {}),
    complete: isComplete(left),
  };
}

/** A plan empties its host when all it leaves behind are domains that are not running. */
export const isComplete = (left: LeftDomain[]) =>
  left.every((l) => l.options.length === 1 && l.options[0] === "keep" && /not running/.test(l.reason));
