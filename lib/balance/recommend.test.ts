import { describe, expect, it } from "vitest";
import { recommend, type BalanceDomain, type BalanceHost, type BalanceInput } from "./recommend";

// The recommender on constructed clusters: spread and pack, the rules, never overcommitting a host, no ping-pong.

const GiB = 1024;
const host = (id: string, totalGiB = 16, extra: Partial<BalanceHost> = {}): BalanceHost => ({
  id,
  name: id,
  totalMiB: totalGiB * GiB,
  usedMiB: 1 * GiB, // dom0
  cpus: 4,
  cpuBusy: 0,
  active: true,
  reserveMiB: 2 * GiB,
  domains: [],
  ...extra,
});
const dom = (name: string, hostId: string, gib: number, extra: Partial<BalanceDomain> = {}): BalanceDomain => ({
  name,
  hostId,
  memoryMiB: gib * GiB,
  cpuBusy: 0,
  running: true,
  ...extra,
});

/** hosts with their domains' memory counted in use */
function cluster(hosts: BalanceHost[], domains: BalanceDomain[], extra: Partial<BalanceInput> = {}): BalanceInput {
  for (const h of hosts) {
    const mine = domains.filter((d) => d.hostId === h.id);
    h.usedMiB += mine.reduce((a, d) => a + d.memoryMiB, 0);
    h.cpuBusy += mine.reduce((a, d) => a + d.cpuBusy, 0);
    h.domains = mine.map((d) => d.name);
  }
  return { mode: "spread", hosts, domains, rules: [], thresholdPts: 1, maxMoves: 50, refusal: () => null, ...extra };
}

/** the cluster after the moves: every host's memory in use, checked against its room as each move lands */
function landed(input: BalanceInput, moves: { domain: string; fromId: string; toId: string }[]) {
  const used = new Map(input.hosts.map((h) => [h.id, h.usedMiB]));
  for (const m of moves) {
    const d = input.domains.find((x) => x.name === m.domain)!;
    used.set(m.fromId, used.get(m.fromId)! - d.memoryMiB);
    used.set(m.toId, used.get(m.toId)! + d.memoryMiB);
  }
  return used;
}

describe("spread", () => {
  it("moves domains off the full host until the gain is under the threshold, never past a host's reserve", () => {
    const input = cluster(
      [host("A"), host("B"), host("C")],
      Array.from({ length: 6 }, (_, i) => dom(`vm${i}`, "A", 2)),
    );
    const r = recommend(input);
    expect(r.before.memoryPts).toBeGreaterThan(30);
    expect(r.after.memoryPts).toBeLessThan(10);
    expect(r.moves.length).toBeGreaterThanOrEqual(3);
    expect(new Set(r.moves.map((m) => m.fromId))).toEqual(new Set(["A"]));
    for (const [id, used] of landed(input, r.moves)) {
      const h = input.hosts.find((x) => x.id === id)!;
      expect(used).toBeLessThanOrEqual(h.totalMiB - h.reserveMiB);
    }
    // each move says what it does, in numbers
    expect(r.moves[0].why).toMatch(
      /^A \d+ → \d+ % memory in use, [BC] \d+ → \d+ %: the imbalance falls from [\d.]+ to [\d.]+ points\.$/,
    );
    expect(r.moves[0].scoreAfter).toBeLessThan(r.moves[0].scoreBefore);
  });

  it("a target never counts on memory that leaves it: the moves fit in any order", () => {
    const input = cluster(
      [host("A"), host("B"), host("C"), host("D")],
      [
        dom("a1", "A", 4),
        dom("a2", "A", 4),
        dom("a3", "A", 3),
        dom("b1", "B", 4),
        dom("b2", "B", 3),
        dom("c1", "C", 1),
      ],
    );
    const r = recommend(input);
    expect(r.moves.length).toBeGreaterThan(1);
    // the worst order: everything arrives before anything leaves
    for (const h of input.hosts) {
      const incoming = r.moves.filter((m) => m.toId === h.id).reduce((a, m) => a + m.memoryMiB, 0);
      expect(h.usedMiB + incoming).toBeLessThanOrEqual(h.totalMiB - h.reserveMiB);
    }
    // and each domain moves once
    expect(new Set(r.moves.map((m) => m.domain)).size).toBe(r.moves.length);
  });

  it("does nothing for a cluster within the threshold, and nothing for crumbs", () => {
    const within = cluster([host("A"), host("B")], [dom("a1", "A", 1), dom("a2", "A", 1)], { thresholdPts: 10 });
    const r = recommend(within);
    expect(r.moves).toEqual([]);
    expect(r.notes).toEqual([
      "The imbalance (6.3 points) is within your threshold of 10 points: nothing needs to move.",
    ]);
    // above the threshold, but the only move would overshoot: nothing, and why
    const crumbs = cluster([host("A"), host("B")], [dom("big", "A", 6)], { thresholdPts: 0 });
    const c = recommend(crumbs);
    expect(c.moves).toEqual([]);
    expect(c.notes.join(" ")).toMatch(
      /^The imbalance stays at 18.8 points, above your threshold of 0: no further move that fits lowers it\.$/,
    );
  });

  it("keeps anti-affinity, moves an affinity group as one, leaves frozen domains and refused hosts alone", () => {
    const input = cluster(
      [host("A"), host("B"), host("C"), host("X", 16, { active: false })],
      [
        dom("web1", "B", 1),
        dom("web2", "A", 2),
        dom("app", "A", 2),
        dom("db", "A", 2),
        dom("pinned", "A", 3, { frozen: "was moved by balancing 10 min ago" }),
        dom("other", "A", 2),
      ],
      {
        rules: [
          { name: "web apart", kind: "anti-affinity", domains: ["web1", "web2"] },
          { name: "app with db", kind: "affinity", domains: ["app", "db"] },
        ],
        // C speaks another toolstack
        refusal: (_d, hostId) => (hostId === "C" ? "C uses xl, A uses virsh" : null),
        thresholdPts: 0,
      },
    );
    const r = recommend(input);
    expect(r.moves.length).toBeGreaterThan(0);
    for (const m of r.moves) {
      expect(m.toId).toBe("B");
      expect(m.domain).not.toBe("web2");
      expect(m.domain).not.toBe("pinned");
    }
    const moved = new Set(r.moves.map((m) => m.domain));
    expect(moved.has("app")).toBe(moved.has("db"));
    expect(r.notes.join(" ")).toMatch(/pinned stays: was moved by balancing 10 min ago/);
    // a host in maintenance takes no part: it neither gives nor receives, nor counts in the figures
    expect(r.hosts.find((h) => h.id === "X")!.active).toBe(false);
    expect(r.moves.some((m) => m.toId === "X" || m.fromId === "X")).toBe(false);
  });

  it("no ping-pong: the cluster after a plan gets no further moves", () => {
    const domains = [dom("a1", "A", 4), dom("a2", "A", 3), dom("a3", "A", 2), dom("a4", "A", 2), dom("b1", "B", 1)];
    const first = cluster([host("A"), host("B"), host("C")], domains);
    const r1 = recommend(first);
    expect(r1.moves.length).toBeGreaterThan(0);
    const after = domains.map((d) => {
      const m = r1.moves.find((x) => x.domain === d.name);
      return { ...d, hostId: m ? m.toId : d.hostId };
    });
    const r2 = recommend(cluster([host("A"), host("B"), host("C")], after));
    expect(r2.moves).toEqual([]);
  });

  it("weighs CPU as well as memory", () => {
    // same memory everywhere, all the CPU on A
    const input = cluster(
      [host("A"), host("B")],
      [
        dom("busy1", "A", 2, { cpuBusy: 2 }),
        dom("busy2", "A", 2, { cpuBusy: 2 }),
        dom("idle1", "B", 2),
        dom("idle2", "B", 2),
      ],
    );
    const r = recommend(input);
    expect(r.before.cpuPts).toBe(50);
    // the busy domain goes, and an idle one comes back: a swap evens both
    expect(r.moves.map((m) => `${m.domain} → ${m.toId}`)).toEqual(["busy1 → B", "idle1 → A"]);
    expect(r.after.cpuPts).toBe(0);
    expect(r.after.memoryPts).toBe(0);
  });
});

describe("pack", () => {
  it("empties the least loaded hosts whose domains all fit elsewhere within the headroom", () => {
    const input = cluster(
      [host("A"), host("B"), host("C"), host("D")],
      [dom("a", "A", 4), dom("b", "B", 3), dom("c1", "C", 1), dom("c2", "C", 1), dom("d", "D", 6)],
      { mode: "pack" },
    );
    const r = recommend(input);
    const emptied = r.hosts.filter((h) => h.emptied).map((h) => h.id);
    expect(emptied.length).toBeGreaterThanOrEqual(2);
    expect(emptied).toContain("C");
    for (const [id, used] of landed(input, r.moves)) {
      const h = input.hosts.find((x) => x.id === id)!;
      expect(used).toBeLessThanOrEqual(h.totalMiB - h.reserveMiB);
      if (emptied.includes(id)) expect(used).toBe(1 * GiB);
    }
    expect(r.moves[0].why).toMatch(/^Empties [A-D]: it can then be powered off/);
  });

  it("moves nothing of a host that cannot be emptied whole", () => {
    const input = cluster([host("A"), host("B")], [dom("small", "A", 1), dom("huge", "A", 12), dom("b", "B", 6)], {
      mode: "pack",
    });
    const r = recommend(input);
    expect(r.moves).toEqual([]);
    expect(r.notes.join(" ")).toMatch(/A is not emptied: huge \(12288 MiB\) can go to no other host \(B has no room\)/);
    expect(r.notes.join(" ")).toMatch(/B is not emptied/);
  });
});
