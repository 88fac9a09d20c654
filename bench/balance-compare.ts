import { imbalance } from "../lib/balance/pressure";
import type { BalanceInput } from "../lib/balance/recommend";
import { seeded } from "../sim/balance-world";

// What bench:balance measures the recommender against: a greedy baseline (the textbook rule: the largest domain that
// fits goes from the fullest host to the emptiest, while that lowers the spread), and on small instances the best
// placement there is (every assignment of every domain to every host tried, within each host's room).

type Load = { usedMiB: number; totalMiB: number; cpus: number; cpuBusy: number };
const loads = (input: BalanceInput) => new Map(input.hosts.map((h) => [h.id, { ...h } as Load]));
const score = (m: Map<string, Load>, active: Set<string>) =>
  imbalance([...m].filter(([id]) => active.has(id)).map(([, h]) => h)).score;

export function greedyBaseline(input: BalanceInput): { score: number; moves: number } {
  const m = loads(input);
  const active = new Set(input.hosts.filter((h) => h.active).map((h) => h.id));
  const reserve = new Map(input.hosts.map((h) => [h.id, h.reserveMiB]));
  const where = new Map(input.domains.map((d) => [d.name, d.hostId]));
  let moves = 0;
  for (;;) {
    const pct = (id: string) => m.get(id)!.usedMiB / m.get(id)!.totalMiB;
    const order = [...active].sort((a, b) => pct(b) - pct(a));
    const [full, empty] = [order[0], order[order.length - 1]];
    const now = score(m, active);
    const room = m.get(empty)!.totalMiB - reserve.get(empty)! - m.get(empty)!.usedMiB;
    const candidates = input.domains
      .filter((d) => d.running && !d.frozen && where.get(d.name) === full && d.memoryMiB <= room)
      .filter((d) => !input.refusal(d.name, empty))
      .sort((a, b) => b.memoryMiB - a.memoryMiB);
    let moved = false;
    for (const d of candidates) {
      m.get(full)!.usedMiB -= d.memoryMiB;
      m.get(empty)!.usedMiB += d.memoryMiB;
      if (score(m, active) < now) {
        where.set(d.name, empty);
        moves++;
        moved = true;
        break;
      }
      m.get(full)!.usedMiB += d.memoryMiB;
      m.get(empty)!.usedMiB -= d.memoryMiB;
    }
    if (!moved) return { score: now, moves };
  }
}

/** The lowest spread any placement reaches (hosts^domains assignments: keep it small). */
export function exhaustiveBest(input: BalanceInput): number {
  const hosts = input.hosts;
  const base = hosts.map(
    (h) => h.usedMiB - input.domains.filter((d) => d.hostId === h.id).reduce((a, d) => a + d.memoryMiB, 0),
  );
  const used = [...base];
  let best = Number.POSITIVE_INFINITY;
  const walk = (i: number) => {
    if (i === input.domains.length) {
      best = Math.min(
        best,
        imbalance(hosts.map((h, k) => ({ usedMiB: used[k], totalMiB: h.totalMiB, cpus: h.cpus, cpuBusy: 0 }))).score,
      );
      return;
    }
    const d = input.domains[i];
    for (let k = 0; k < hosts.length; k++) {
      if (used[k] + d.memoryMiB > hosts[k].totalMiB - hosts[k].reserveMiB) continue;
      used[k] += d.memoryMiB;
      walk(i + 1);
      used[k] -= d.memoryMiB;
    }
  };
  walk(0);
  return best;
}

/** A small unbalanced cluster: `hosts` hosts of 16 GiB, `domains` guests of 512 MiB–4 GiB, most on the first host. */
export function smallInstance(seed: number, hosts = 4, domains = 8): BalanceInput {
  const rand = seeded(seed);
  const hs = Array.from({ length: hosts }, (_, k) => ({
    id: `h${k}`,
    name: `h${k}`,
    totalMiB: 16384,
    usedMiB: 1024,
    cpus: 4,
    cpuBusy: 0,
    active: true,
    reserveMiB: 1638,
    domains: [] as string[],
  }));
  const ds = Array.from({ length: domains }, (_, i) => {
    let k = rand() < 0.6 ? 0 : Math.floor(rand() * hosts);
    const memoryMiB = [512, 1024, 2048, 4096][Math.floor(rand() * 4)];
    // no host starts past its room: a guest that would not fit on the host drawn goes to the least used one
    if (hs[k].usedMiB + memoryMiB > hs[k].totalMiB - hs[k].reserveMiB)
      k = hs.reduce((a, h, j) => (h.usedMiB < hs[a].usedMiB ? j : a), 0);
    hs[k].usedMiB += memoryMiB;
    hs[k].domains.push(`d${i}`);
    return { name: `d${i}`, hostId: `h${k}`, memoryMiB, cpuBusy: 0, running: true };
  });
  return { mode: "spread", hosts: hs, domains: ds, rules: [], thresholdPts: 0.1, maxMoves: 50, refusal: () => null };
}
