import { describe, expect, it } from "vitest";
import { forecastXen } from "../forecast/model";
import { forecastAt } from "../forecast/inputs";
import { planEvacuation, type PlanDomain, type PlanInput, type PlanTarget } from "./plan";

// The planner on constructed clusters: each test states a cluster and what any correct plan must do there.

const MiB = 1024 * 1024;
const gbit = 125_000_000;

const dom = (name: string, memoryMiB: number, more: Partial<PlanDomain> = {}): PlanDomain => ({
  name,
  memoryMiB,
  running: true,
  priority: 50,
  maxDowntimeMs: 300,
  ...more,
});
const target = (name: string, freeMiB: number, more: Partial<PlanTarget> = {}): PlanTarget => ({
  id: `id-${name}`,
  name,
  eligible: { ok: true },
  freeMiB,
  domains: [],
  ...more,
});

/** Xen's policy with a dirty rate per domain (MiB/s) and a working set of a quarter of memory */
function input(
  domains: PlanDomain[],
  targets: PlanTarget[],
  more: Partial<PlanInput> & { dirty?: Record<string, number> } = {},
): PlanInput {
  const size = new Map(domains.map((d) => [d.name, d.memoryMiB]));
  return {
    source: { id: "id-src", name: "src" },
    domains,
    targets,
    rules: [],
    forecast: (d, _t, bw) =>
      forecastXen({
        memoryBytes: size.get(d)! * MiB,
        dirtyBps: (more.dirty?.[d] ?? 5) * MiB,
        wwsBytes: (size.get(d)! * MiB) / 4,
        bandwidthBps: bw,
        handshakeMs: 50,
      }),
    linkBps: () => gbit,
    maxConcurrent: 4,
    overheadMs: 1000,
    ...more,
  };
}

describe("planEvacuation: placement", () => {
  it("never overcommits a target: what does not fit is left, with the reason", () => {
    const plan = planEvacuation(
      input([dom("a", 4096), dom("b", 4096), dom("c", 4096)], [target("t1", 6000), target("t2", 5000)]),
    );
    expect(plan.moves).toHaveLength(2);
    for (const t of ["t1", "t2"]) {
      const used = plan.moves.filter((m) => m.target === t).reduce((a, m) => a + m.memoryMiB, 0);
      expect(used).toBeLessThanOrEqual(t === "t1" ? 6000 : 5000);
    }
    expect(plan.left).toHaveLength(1);
    expect(plan.left[0].reason).toMatch(/No host can take . live: t1 has \d+ MiB free of the 4096 MiB needed/);
    expect(plan.left[0].options).toEqual(["save-to-image", "shut-down", "keep"]);
    expect(plan.complete).toBe(false);
    expect(Math.min(...plan.moves.map((m) => m.targetFreeAfterMiB))).toBeGreaterThanOrEqual(0);
  });

  it("never uses a host the checks exclude (another toolstack, maintenance), and says why", () => {
    const plan = planEvacuation(
      input(
        [dom("a", 512)],
        [
          target("kvm", 9000, {
            eligible: { ok: false, reason: "src uses xl, kvm uses virsh: a domain cannot move between toolstacks." },
          }),
        ],
      ),
    );
    expect(plan.moves).toHaveLength(0);
    expect(plan.left[0].reason).toContain("a domain cannot move between toolstacks");
  });

  it("moves the higher priority first", () => {
    const plan = planEvacuation(input([dom("big", 2048), dom("vip", 256, { priority: 90 })], [target("t", 9000)]));
    expect(plan.moves[0].domain).toBe("vip");
    expect(plan.moves[0].order).toBe(1);
  });

  it("keeps anti-affinity groups apart and affinity groups together", () => {
    const plan = planEvacuation(
      input(
        [dom("db1", 512), dom("db2", 512), dom("web", 256), dom("cache", 256)],
        [target("t1", 4000), target("t2", 4000, { domains: ["other"] })],
        {
          rules: [
            { name: "databases apart", kind: "anti-affinity", domains: ["db1", "db2"] },
            { name: "web with cache", kind: "affinity", domains: ["web", "cache"] },
          ],
        },
      ),
    );
    const at = (d: string) => plan.moves.find((m) => m.domain === d)!.target;
    expect(at("db1")).not.toBe(at("db2"));
    expect(at("web")).toBe(at("cache"));
  });

  it("an anti-affinity rule counts the domains already on a target", () => {
    const plan = planEvacuation(
      input([dom("db2", 512)], [target("t1", 8000, { domains: ["db1"] }), target("t2", 1000)], {
        rules: [{ name: "databases apart", kind: "anti-affinity", domains: ["db1", "db2"] }],
      }),
    );
    expect(plan.moves[0].target).toBe("t2");
  });

  it("a domain that is only defined is left with the reason, and does not stop the host from emptying", () => {
    const plan = planEvacuation(input([dom("off", 1024, { running: false }), dom("a", 256)], [target("t", 9000)]));
    expect(plan.left.map((l) => l.domain)).toEqual(["off"]);
    expect(plan.left[0].reason).toMatch(/not running/);
    expect(plan.complete).toBe(true);
  });

  it("return home: each domain goes to its fixed target or is left, never elsewhere", () => {
    const plan = planEvacuation(
      input([dom("a", 256), dom("b", 256)], [target("home", 300), target("other", 9000)], {
        fixedTargets: { a: "home", b: "home" },
      }),
    );
    expect(plan.moves.map((m) => m.target)).toEqual(["home"]);
    expect(plan.left).toHaveLength(1);
  });
});

describe("planEvacuation: how many at once", () => {
  it("one at a time when the link is the bottleneck: busy guests would stand still longer sharing it", () => {
    const domains = ["a", "b", "c", "d"].map((n) => dom(n, 1024, { maxDowntimeMs: 1000 }));
    const plan = planEvacuation(
      input(domains, [target("t", 9000)], { dirty: { a: 60, b: 60, c: 60, d: 60 }, overheadMs: 100 }),
    );
    expect(plan.concurrency).toBe(1);
    expect(plan.candidates.find((c) => c.concurrency === 4)!.overMaxDowntime.length).toBeGreaterThan(0);
    expect(plan.moves.every((m) => m.downtimeMs <= m.maxDowntimeMs)).toBe(true);
  });

  it("several at once when the link is not the bottleneck (small quiet guests, Ferry's per-move cost dominates)", () => {
    const domains = ["a", "b", "c", "d"].map((n) => dom(n, 64));
    const plan = planEvacuation(input(domains, [target("t", 9000)], { overheadMs: 2000 }));
    expect(plan.concurrency).toBeGreaterThan(1);
    expect(plan.totalMs).toBeLessThan(plan.candidates[0].totalMs);
  });

  it("moves out of one host share its link even to different targets (the default)", () => {
    const domains = [dom("a", 1024, { maxDowntimeMs: 1000 }), dom("b", 1024, { maxDowntimeMs: 1000 })];
    const plan = planEvacuation(
      input(domains, [target("t1", 1500), target("t2", 1500)], { dirty: { a: 60, b: 60 }, overheadMs: 100 }),
    );
    expect(plan.concurrency).toBe(1);
    expect(plan.boundMs).toBeCloseTo(((2048 * MiB) / gbit) * 1000, 0);
  });

  it("with a link per pair of hosts, moves to two targets run side by side at full speed", () => {
    const domains = [dom("a", 1024, { maxDowntimeMs: 1000 }), dom("b", 1024, { maxDowntimeMs: 1000 })];
    const plan = planEvacuation(
      input(domains, [target("t1", 1500), target("t2", 1500)], {
        dirty: { a: 60, b: 60 },
        overheadMs: 100,
        shareBy: "pair",
      }),
    );
    expect(plan.concurrency).toBe(2);
    expect(plan.moves.every((m) => m.sharing === 1)).toBe(true);
    expect(plan.moves.every((m) => m.startMs === 0)).toBe(true);
  });

  it("never puts a domain over its maximum downtime; one that is over it even alone is left with the alternatives", () => {
    const plan = planEvacuation(
      input([dom("hot", 2048, { maxDowntimeMs: 50 }), dom("calm", 256)], [target("t", 9000)], { dirty: { hot: 200 } }),
    );
    expect(plan.moves.map((m) => m.domain)).toEqual(["calm"]);
    expect(plan.left[0]).toMatchObject({
      domain: "hot",
      options: ["move-by-save-restore", "save-to-image", "shut-down", "keep"],
    });
    expect(plan.left[0].reason).toMatch(
      /Even alone on the link to t it would stand still about \d+ ms, over its 50 ms maximum/,
    );
  });

  it("a guest whose dirty rate is a guess never shares a link: the plan runs one at a time and says why", () => {
    const domains = ["a", "b", "c", "d"].map((n) => dom(n, 64, { dirtyRateKnown: n !== "c" }));
    const plan = planEvacuation(input(domains, [target("t", 9000)], { overheadMs: 2000 }));
    expect(plan.concurrency).toBe(1);
    expect(plan.candidates[1].why).toMatch(/^c has never been migrated or measured: its dirty rate is a guess/);
  });

  it("the operator's cap is respected, and the plan says what it costs", () => {
    const domains = ["a", "b", "c", "d"].map((n) => dom(n, 64));
    const free = planEvacuation(input(domains, [target("t", 9000)], { overheadMs: 2000 }));
    const capped = planEvacuation(input(domains, [target("t", 9000)], { overheadMs: 2000, cap: 1 }));
    expect(capped.concurrency).toBe(1);
    expect(capped.capCostMs).toBe(capped.totalMs - free.totalMs);
    expect(capped.capCostMs).toBeGreaterThan(0);
  });

  it("the physical bound: Σ memory ÷ bandwidth of the busiest link, never above the plan's total", () => {
    const domains = ["a", "b"].map((n) => dom(n, 1024));
    const plan = planEvacuation(input(domains, [target("t", 9000)]));
    expect(plan.boundMs).toBeCloseTo(((2048 * MiB) / gbit) * 1000, 0);
    expect(plan.totalMs).toBeGreaterThan(plan.boundMs);
  });
});

describe("planEvacuation: disks the target does not see", () => {
  it("each move's time counts its disk copy at the link's share, and the plan says which moves carry disks", () => {
    const inputs = { bandwidthBps: gbit, dirtyBps: 5 * MiB, wwsBytes: 256 * MiB, handshakeMs: 50, sources: [] };
    const withDisk = { inputs: { ...inputs, diskBytes: 1000 * MiB } };
    const plain = { inputs };
    const plan = planEvacuation(
      input([dom("db", 1024), dom("web", 1024)], [target("t1", 8000)], {
        maxConcurrent: 1,
        forecast: (d, _t, bw) => forecastAt(d === "db" ? withDisk : plain, 1024, "xen", undefined, bw),
      }),
    );
    const db = plan.moves.find((m) => m.domain === "db")!;
    const web = plan.moves.find((m) => m.domain === "web")!;
    expect(db.diskCopy).toEqual({ bytes: 1000 * MiB, ms: Math.round(((1000 * MiB) / gbit) * 1000) });
    expect(web.diskCopy).toBeUndefined();
    // the same memory and dirty rate: the difference is the disk copy
    expect(db.durationMs - web.durationMs).toBe(db.diskCopy!.ms);
    // and no plan can beat what crosses the link: both memories and the disk
    expect(plan.boundMs).toBeCloseTo(((2048 * MiB + 1000 * MiB) / gbit) * 1000, 6);
  });
});

describe("planEvacuation: one move per link", () => {
  it("moves between different hosts run side by side, each alone on its links; moves on one link wait", () => {
    const from = (n: string) => ({ from: { id: `id-${n}`, name: n } });
    const plan = planEvacuation(
      input(
        [
          dom("a", 1024, { ...from("s1"), dirtyRateKnown: false }),
          dom("b", 1024, { ...from("s2"), dirtyRateKnown: false }),
          dom("c", 512, { ...from("s2"), dirtyRateKnown: false }),
        ],
        [target("t1", 8000), target("t2", 8000)],
        { maxConcurrent: 2, fixedTargets: { a: "t1", b: "t2", c: "t1" } },
      ),
    );
    expect(plan.oneMovePerLink).toBe("host");
    expect(plan.concurrency).toBe(2);
    const at = Object.fromEntries(plan.moves.map((m) => [m.domain, m]));
    // a (s1 → t1) and b (s2 → t2) share no link: both at once, alone on their links
    expect(at.a.startMs).toBe(0);
    expect(at.b.startMs).toBe(0);
    expect(plan.moves.every((m) => m.sharing === 1)).toBe(true);
    // c (s2 → t1) uses s2's link and t1's: it waits for the first of them to free
    expect(at.c.startMs).toBe(Math.min(at.a.durationMs, at.b.durationMs));
    // shorter than one at a time, which is what the guessed dirty rates would otherwise leave
    const serial = plan.candidates.find((c) => c.concurrency === 1)!;
    expect(plan.totalMs).toBeLessThan(serial.totalMs);
    expect(plan.candidates.at(-1)!.why).toBe("one move per link at a time, moves on other links beside it");
  });

  it("an evacuation (every move out of one host) stays as it was: its moves share the host's link", () => {
    const plan = planEvacuation(input([dom("a", 1024), dom("b", 1024)], [target("t1", 8000), target("t2", 8000)]));
    expect(plan.oneMovePerLink).toBeUndefined();
  });
});

describe("planEvacuation: one at a time, each next move following the one before onto the link", () => {
  it("orders the moves so each goes into another target than the one before, and counts its checks only where none can", () => {
    // four guests of one size, two into each target: the overhead of 1 s is paid by the first move alone
    const domains = ["a", "b", "c", "d"].map((n) => dom(n, 512, { maxDowntimeMs: 5000 }));
    const plan = planEvacuation(
      input(domains, [target("t1", 1100), target("t2", 1100)], { dirty: { a: 60, b: 60, c: 60, d: 60 }, cap: 1 }),
    );
    expect(plan.concurrency).toBe(1);
    const targets = plan.moves.map((m) => m.target);
    for (let i = 1; i < targets.length; i++) expect(targets[i]).not.toBe(targets[i - 1]);
    const transfers = plan.moves.map((m, i) => m.durationMs - (i === 0 ? 1000 : 0));
    // every transfer alike (same size and rate), and the total one overhead plus the four of them
    expect(new Set(transfers.map((t) => Math.round(t))).size).toBe(1);
    expect(plan.totalMs).toBeCloseTo(1000 + transfers.reduce((a, b) => a + b, 0), 0);
  });

  it("a priority is kept: a move of a higher priority goes first even into the target just filled", () => {
    const domains = [
      dom("high1", 512, { priority: 90, maxDowntimeMs: 5000 }),
      dom("high2", 512, { priority: 90, maxDowntimeMs: 5000 }),
      dom("low", 256, { maxDowntimeMs: 5000 }),
    ];
    const plan = planEvacuation(input(domains, [target("t1", 1100), target("t2", 300)], { cap: 1 }));
    // both high ones fit only on t1: the second follows the first into it and pays its checks; low (to t2) follows it
    expect(plan.moves.map((m) => [m.domain, m.target])).toEqual([
      ["high1", "t1"],
      ["high2", "t1"],
      ["low", "t2"],
    ]);
    expect(plan.moves[1].durationMs).toBeGreaterThan(plan.moves[2].durationMs + 1000);
  });
});
