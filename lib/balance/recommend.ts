import type { PlacementRule } from "../evacuate/plan";
import { cpuPct, imbalance, memoryPct, type HostPressure, type Imbalance } from "./pressure";

// The balancing recommender: a pure function of the hosts' pressure, the domains, the rules and what refuses a move.
// It chooses which domain goes where; the evacuation planner (lib/evacuate/plan.ts) then orders the moves, chooses
// how many run at once and forecasts each one (lib/balance/service.ts joins the two).
//
// - spread: moves one domain (or an affinity group) at a time, each time the move that lowers the imbalance score
//   most (lib/balance/pressure.ts), while the imbalance is above the operator's threshold (the imbalance they accept;
//   a cluster within it gets no moves) and a move still gains at least MIN_GAIN_PTS (no moves for crumbs).
// - pack: empties hosts, the least loaded first: a host is emptied only when every running domain on it finds room
//   elsewhere (the fullest host that keeps its headroom first), otherwise nothing of it moves.
//
// No move counts on memory another move frees: a host receives only into the room it had before the plan (what leaves
// it counts once it has left, which the plan does not wait for), and never where a domain kept apart from the one
// arriving is or was at the start. So the moves can run in any order, at any concurrency, without a target ever short
// of memory or holding two domains kept apart. A domain moves at most once in a plan.

export type BalanceMode = "spread" | "pack";

export interface BalanceHost extends HostPressure {
  /** online and not in maintenance: it takes part (gives and receives); otherwise it is left as it is */
  active: boolean;
  /** memory the host keeps free whatever moves: the headroom the operator sets and Ferry's margin */
  reserveMiB: number;
  /** domains on it now (the anti-affinity rules) */
  domains: string[];
}

export interface BalanceDomain {
  name: string;
  hostId: string;
  memoryMiB: number;
  /** CPUs it keeps busy (0 when not known) */
  cpuBusy: number;
  /** only a running (or idle) domain moves live */
  running: boolean;
  /** why it does not move now (balancing moved it lately), or absent */
  frozen?: string;
}

export interface BalanceInput {
  mode: BalanceMode;
  hosts: BalanceHost[];
  domains: BalanceDomain[];
  rules: PlacementRule[];
  /** spread: the imbalance the operator accepts, in points: moves are recommended only while the score is above it */
  thresholdPts: number;
  maxMoves: number;
  /** why this domain cannot go to this host (toolstack, CPU, storage, a refused check…), or null */
  refusal(domain: string, hostId: string): string | null;
}

export interface BalanceMove {
  domain: string;
  fromId: string;
  from: string;
  toId: string;
  to: string;
  memoryMiB: number;
  /** the score before and after this move (after the ones before it) */
  scoreBefore: number;
  scoreAfter: number;
  /** in words, with the numbers */
  why: string;
}

export interface HostOutcome {
  id: string;
  name: string;
  active: boolean;
  memoryBeforePct: number;
  memoryAfterPct: number;
  cpuBeforePct: number;
  cpuAfterPct: number;
  /** pack: no running domain is left on it */
  emptied: boolean;
}

export interface Recommendation {
  mode: BalanceMode;
  moves: BalanceMove[];
  before: Imbalance;
  after: Imbalance;
  hosts: HostOutcome[];
  /** what was weighed and not done, in words (a frozen domain, no room, too small a gain) */
  notes: string[];
}

type State = {
  host: BalanceHost;
  usedMiB: number;
  cpuBusy: number;
  holds: Set<string>;
  /** memory the plan brings in (its room is counted against this, not against what leaves) */
  inMiB: number;
  /** pack: a host being emptied receives nothing, a host receiving is not emptied */
  role: "give" | "take" | null;
};

const round1 = (x: number) => Math.round(x * 10) / 10;
/** spread: the least a move must lower the imbalance by, in points */
export const MIN_GAIN_PTS = 0.1;

export function recommend(input: BalanceInput): Recommendation {
  const states = new Map<string, State>(
    input.hosts.map((h) => [
      h.id,
      { host: h, usedMiB: h.usedMiB, cpuBusy: h.cpuBusy, holds: new Set(h.domains), inMiB: 0, role: null },
    ]),
  );
  const active = [...states.values()].filter((s) => s.host.active);
  const score = () => imbalance(active.map((s) => ({ ...s.host, usedMiB: s.usedMiB, cpuBusy: s.cpuBusy })));
  const before = score();
  const notes: string[] = [];
  const units = unitsOf(input, notes);
  const moves: BalanceMove[] = [];

  const fits = (unit: BalanceDomain[], to: State): string | null => {
    const need = unit.reduce((a, d) => a + d.memoryMiB, 0);
    if (to.host.usedMiB + to.inMiB + need > to.host.totalMiB - to.host.reserveMiB) return `${to.host.name} has no room`;
    for (const d of unit) {
      const no = input.refusal(d.name, to.host.id);
      if (no) return no;
      for (const r of input.rules)
        if (r.kind === "anti-affinity" && r.domains.includes(d.name)) {
          const clash = r.domains.find((o) => o !== d.name && (to.holds.has(o) || to.host.domains.includes(o)));
          if (clash) return `${to.host.name} holds ${clash} (rule "${r.name}")`;
        }
    }
    return null;
  };
  /** memory, CPU and what each host holds, as if the unit had moved (back, with from and to swapped) */
  const shift = (unit: BalanceDomain[], from: State, to: State) => {
    for (const d of unit) {
      from.usedMiB -= d.memoryMiB;
      from.cpuBusy -= d.cpuBusy;
      from.holds.delete(d.name);
      to.usedMiB += d.memoryMiB;
      to.cpuBusy += d.cpuBusy;
      to.holds.add(d.name);
    }
  };
  const apply = (unit: BalanceDomain[], from: State, to: State, why: (b: number, a: number) => string) => {
    const b = score().score;
    shift(unit, from, to);
    to.inMiB += sizeOf(unit);
    from.role = "give";
    to.role = "take";
    const a = score().score;
    for (const d of unit)
      moves.push({
        domain: d.name,
        fromId: from.host.id,
        from: from.host.name,
        toId: to.host.id,
        to: to.host.name,
        memoryMiB: d.memoryMiB,
        scoreBefore: round1(b),
        scoreAfter: round1(a),
        why: why(b, a),
      });
  };
  /** the score if this unit went there, the cluster left as it is */
  const scoreWith = (unit: BalanceDomain[], from: State, to: State) => {
    shift(unit, from, to);
    const s = score().score;
    shift(unit, to, from);
    return s;
  };
  const undo = (unit: BalanceDomain[], from: State, to: State) => {
    to.inMiB -= sizeOf(unit);
    shift(unit, to, from);
  };

  if (input.mode === "spread") {
    const pending = new Set(units);
    if (before.score <= input.thresholdPts)
      notes.push(
        `The imbalance (${round1(before.score)} points) is within your threshold of ${input.thresholdPts} points: nothing needs to move.`,
      );
    while (moves.length < input.maxMoves) {
      const now = score().score;
      if (now <= input.thresholdPts) break;
      let best: { unit: BalanceDomain[]; from: State; to: State; gain: number } | null = null;
      for (const unit of pending) {
        const from = states.get(unit[0].hostId)!;
        if (moves.length + unit.length > input.maxMoves) continue;
        for (const to of active) {
          if (to === from || fits(unit, to)) continue;
          const gain = now - scoreWith(unit, from, to);
          if (!best || gain > best.gain) best = { unit, from, to, gain };
        }
      }
      if (!best || best.gain < MIN_GAIN_PTS) {
        notes.push(
          best && best.gain > 0
            ? `The imbalance stays at ${round1(now)} points, above your threshold of ${input.thresholdPts}: the best further move (${best.unit.map((d) => d.name).join(" and ")} to ${best.to.host.name}) would lower it by only ${best.gain.toFixed(2)} points.`
            : `The imbalance stays at ${round1(now)} points, above your threshold of ${input.thresholdPts}: no further move that fits lowers it.`,
        );
        break;
      }
      const { unit, from, to } = best;
      pending.delete(unit);
      apply(
        unit,
        from,
        to,
        (b, a) =>
          `${from.host.name} ${Math.round(memoryPct({ ...from.host, usedMiB: from.usedMiB + unit.reduce((x, d) => x + d.memoryMiB, 0) }))} → ${Math.round(memoryPct({ ...from.host, usedMiB: from.usedMiB }))} % memory in use, ${to.host.name} ${Math.round(memoryPct({ ...to.host, usedMiB: to.usedMiB - unit.reduce((x, d) => x + d.memoryMiB, 0) }))} → ${Math.round(memoryPct({ ...to.host, usedMiB: to.usedMiB }))} %: the imbalance falls from ${round1(b)} to ${round1(a)} points.`,
      );
    }
  } else {
    // pack: the hosts with the least running memory first; a host already empty stays empty (a host whose running
    // domains are all held by the guard is weighed too, to say why it stays)
    const order = active
      .filter((s) => input.domains.some((d) => d.running && d.hostId === s.host.id))
      .sort((a, b) => runningMiB(units, a) - runningMiB(units, b));
    for (const from of order) {
      if (from.role === "take") continue;
      const mine = units.filter((u) => u[0].hostId === from.host.id);
      const blocked = input.domains.find((d) => d.hostId === from.host.id && d.running && d.frozen);
      if (blocked) {
        notes.push(`${from.host.name} is not emptied: ${blocked.name} ${blocked.frozen}.`);
        continue;
      }
      if (moves.length + mine.reduce((a, u) => a + u.length, 0) > input.maxMoves) {
        notes.push(`${from.host.name} is not emptied: that would pass the plan's ${input.maxMoves} moves.`);
        continue;
      }
      const done: { unit: BalanceDomain[]; to: State }[] = [];
      const count = moves.length;
      let stuck: string | null = null;
      // the largest first, each to the fullest host that still keeps its headroom (best fit)
      for (const unit of [...mine].sort((a, b) => sizeOf(b) - sizeOf(a))) {
        const room = (s: State) => s.host.totalMiB - s.host.reserveMiB - s.usedMiB;
        const others = active.filter((s) => s !== from && s.role !== "give");
        const to = others.filter((s) => !fits(unit, s)).sort((a, b) => room(a) - room(b))[0];
        if (!to) {
          // why not, host by host (the first few): no room, another toolstack, a refused check
          const why = others.map((s) => fits(unit, s)!);
          stuck = `${unit.map((d) => d.name).join(" and ")} (${sizeOf(unit)} MiB) can go to no other host${why.length ? ` (${[...new Set(why)].slice(0, 2).join("; ").replace(/\.$/, "")}${why.length > 2 ? "; …" : ""})` : ""}`;
          break;
        }
        apply(unit, from, to, () => `Empties ${from.host.name}: it can then be powered off or kept in reserve.`);
        done.push({ unit, to });
      }
      if (stuck) {
        for (const { unit, to } of done.reverse()) undo(unit, from, to);
        moves.splice(count);
        for (const s of states.values()) s.role = null;
        for (const m of moves) {
          states.get(m.fromId)!.role = "give";
          states.get(m.toId)!.role = "take";
        }
        notes.push(`${from.host.name} is not emptied: ${stuck}.`);
      }
    }
  }
  const after = score();
  const emptied = new Set(
    input.mode === "pack"
      ? active
          .filter((s) => s.role === "give" && !input.domains.some((d) => d.running && s.holds.has(d.name)))
          .map((s) => s.host.id)
      : [],
  );
  return {
    mode: input.mode,
    moves,
    before,
    after,
    hosts: [...states.values()].map((s) => ({
      id: s.host.id,
      name: s.host.name,
      active: s.host.active,
      memoryBeforePct: round1(memoryPct(s.host)),
      memoryAfterPct: round1(memoryPct({ ...s.host, usedMiB: s.usedMiB })),
      cpuBeforePct: round1(cpuPct(s.host)),
      cpuAfterPct: round1(cpuPct({ ...s.host, cpuBusy: s.cpuBusy })),
      emptied: emptied.has(s.host.id),
    })),
    notes,
  };
}

const sizeOf = (u: BalanceDomain[]) => u.reduce((a, d) => a + d.memoryMiB, 0);
const runningMiB = (units: BalanceDomain[][], s: State) =>
  units.filter((u) => u[0].hostId === s.host.id).reduce((a, u) => a + sizeOf(u), 0);

/** What moves as one: an affinity rule's running members on one host together, every other running domain alone. */
function unitsOf(input: BalanceInput, notes: string[]): BalanceDomain[][] {
  const active = new Set(input.hosts.filter((h) => h.active).map((h) => h.id));
  const movable = input.domains.filter((d) => d.running && active.has(d.hostId));
  for (const d of movable.filter((x) => x.frozen)) notes.push(`${d.name} stays: ${d.frozen}.`);
  const free = movable.filter((d) => !d.frozen);
  const grouped = new Set<string>();
  const units: BalanceDomain[][] = [];
  for (const r of input.rules.filter((x) => x.kind === "affinity")) {
    const members = free.filter((d) => r.domains.includes(d.name) && !grouped.has(d.name));
    for (const hostId of new Set(members.map((m) => m.hostId))) {
      const unit = members.filter((m) => m.hostId === hostId);
      for (const m of unit) grouped.add(m.name);
      units.push(unit);
    }
  }
  for (const d of free) if (!grouped.has(d.name)) units.push([d]);
  return units;
}
