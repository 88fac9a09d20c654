import { EventEmitter } from "node:events";
import { MEMORY_MARGIN_MIB } from "../checks/rules";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { askChecks, eligibleTarget, planDomain, type Asked, type AskedDomain } from "../evacuate/ask";
import type { Placement } from "../evacuate/placement";
import { planEvacuation, type Plan, type PlacementRule, type PlanTarget } from "../evacuate/plan";
import type { EvacuationService, EvacuationView } from "../evacuate/service";
import type { HostView } from "../inventory/types";
import type { Inventory } from "../inventory/inventory";
import type { UsageHistory } from "../inventory/usage-history";
import type { JobEngine } from "../jobs/engine";
import type { MigrationOptions } from "../toolstacks/types";
import { recommend, type BalanceDomain, type BalanceHost, type Recommendation } from "./recommend";
import type { BalanceRequest, BalanceRun } from "./schema";
import type { BalanceSettingsStore } from "./settings";

// Balancing, from the inventory to a plan the operator reads: each host's pressure (memory from the inventory, CPU
// from the usage history), the recommender's choice of moves (lib/balance/recommend.ts), then each chosen move's own
// live-migration checks and forecast, and the evacuation planner's order, concurrency and timeline. A move the checks
// refuse, or whose downtime would pass the domain's maximum, is taken out and the recommender asked again without it.
// Applying a plan runs it as an evacuation of kind "balance" (its board, Stop). Events: "recommended" (mode),
// "applied" ({ moves, trigger }) — the metrics count them.

export interface BalanceView {
  recommendation: Recommendation;
  /** the moves in order, each with its forecast, the concurrency and the total against the physical bound */
  plan: Plan;
  settings: { mode: Recommendation["mode"]; headroomPct: number; thresholdPts: number; guardMinutes: number };
  /** the window the CPU figures are measured over; false when no host had two samples in it */
  cpuWindowMinutes: number;
  cpuKnown: boolean;
  /** moves the recommender chose and the checks refused (it was asked again without them) */
  refused: { domain: string; target: string; reason: string }[];
}

const ROUNDS = 5;
const isGuest = (d: { id: number }) => d.id !== 0;

export class BalanceService extends EventEmitter {
  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
    private readonly engine: JobEngine,
    private readonly placement: Placement,
    private readonly evacuations: EvacuationService,
    private readonly usage: UsageHistory,
    private readonly settings: BalanceSettingsStore,
    /** the CPU figures' window (default 15 minutes) */
    private readonly cpuWindowMs = 15 * 60_000,
  ) {
    super();
  }

  /** The dry run: nothing moves. */
  async recommend(req: BalanceRequest): Promise<BalanceView> {
    return (await this.make(req)).view;
  }

  private async make(req: BalanceRequest) {
    const saved = await this.settings.get();
    const s = {
      mode: req.mode ?? saved.mode,
      headroomPct: req.headroomPct ?? saved.headroomPct,
      thresholdPts: req.thresholdPts ?? saved.thresholdPts,
      guardMinutes: saved.guardMinutes,
    };
    const views = this.inventory.snapshot();
    const byId = new Map(views.map((v) => [v.id, v]));
    const [placement, cpu, frozen] = await Promise.all([
      this.placement.settings(),
      this.usage.cpuBusy(this.cpuWindowMs),
      this.recentlyMoved(s.guardMinutes * 60_000),
    ]);
    const setting = (name: string) => placement.domains.find((d) => d.domain === name);
    const rules = placement.rules.map((r) => ({ ...r, kind: r.kind as PlacementRule["kind"] }));
    const active = (v: HostView) => v.status === "online" && !v.stale && !!v.facts && !v.maintenance;
    const hosts: BalanceHost[] = views.map((v) => {
      const total = v.facts?.totalMemoryMiB ?? 0;
      return {
        id: v.id,
        name: v.name,
        totalMiB: total,
        usedMiB: Math.max(0, total - (v.facts?.freeMemoryMiB ?? 0)),
        cpus: v.facts?.nrCpus ?? 0,
        cpuBusy: cpu.hosts.get(v.id) ?? 0,
        active: active(v),
        reserveMiB: Math.max(MEMORY_MARGIN_MIB, Math.round((total * s.headroomPct) / 100)),
        domains: v.domains.filter(isGuest).map((d) => d.name),
      };
    });
    const domains: BalanceDomain[] = views.flatMap((v) =>
      v.domains.filter(isGuest).map((d) => ({
        name: d.name,
        hostId: v.id,
        memoryMiB: d.memoryMiB,
        cpuBusy: cpu.domains.get(`${v.id}|${d.uuid ?? d.name}`) ?? 0,
        running: d.state === "running" || d.state === "idle",
        ...(frozen.has(d.uuid ?? d.name) ? { frozen: frozen.get(d.uuid ?? d.name) } : {}),
      })),
    );
    // what the inventory alone refuses (toolstack, CPU, maintenance) depends on the two hosts only
    const pairs = new Map<string, string | null>();
    const byHost = (hostId: string) => byId.get(hostId)!;
    const refusedHere = new Map<string, string>();
    const hostOf = new Map(domains.map((d) => [d.name, d.hostId]));
    const refusal = (domain: string, hostId: string) => {
      const checked = refusedHere.get(`${domain}|${hostId}`);
      if (checked) return checked;
      const from = hostOf.get(domain)!;
      const key = `${from}|${hostId}`;
      if (!pairs.has(key)) {
        const e = eligibleTarget(byHost(from), byHost(hostId));
        pairs.set(key, e.ok ? null : e.reason);
      }
      return pairs.get(key)!;
    };
    const refused: BalanceView["refused"] = [];
    const input = {
      mode: s.mode,
      hosts,
      domains,
      rules,
      thresholdPts: s.thresholdPts,
      maxMoves: req.maxMoves ?? 50,
      refusal,
    };
    for (let round = 1; ; round++) {
      const rec = recommend(input);
      const asked = rec.moves.map((m) => {
        const v = byHost(m.fromId);
        return planDomain(v.domains.find((d) => d.name === m.domain)!, v, setting(m.domain), v);
      });
      const targetOf = new Map(rec.moves.map((m) => [m.domain, byHost(m.toId)]));
      const { options, hooks } = await askChecks(this.engine, asked, (d) => [
        { host: targetOf.get(d.name)!, refusal: null },
      ]);
      const planFor = (only: AskedDomain[]) => this.planOf(views.filter(active), only, targetOf, rules, hooks, req.cap);
      const plan = planFor(asked);
      if (!plan.left.length || round === ROUNDS) {
        const left = new Set(plan.left.map((l) => l.domain));
        if (left.size)
          rec.notes.push(`Left out after ${ROUNDS} tries: ${[...left].join(", ")} (the checks refused them).`);
        const view: BalanceView = {
          recommendation: { ...rec, moves: rec.moves.filter((m) => !left.has(m.domain)) },
          plan,
          settings: s,
          cpuWindowMinutes: Math.round(this.cpuWindowMs / 60_000),
          cpuKnown: cpu.hosts.size > 0,
          refused,
        };
        this.emit("recommended", s.mode);
        return { view, options, asked, planFor };
      }
      for (const l of plan.left) {
        const to = targetOf.get(l.domain)!;
        refusedHere.set(`${l.domain}|${to.id}`, l.reason);
        refused.push({ domain: l.domain, target: to.name, reason: l.reason });
      }
    }
  }

  /** The evacuation planner over the chosen moves: each domain's target fixed, the order and concurrency its own. */
  private planOf(
    targets: HostView[],
    domains: AskedDomain[],
    targetOf: Map<string, HostView>,
    rules: PlacementRule[],
    hooks: Asked["hooks"],
    cap: number | undefined,
  ): Plan {
    const planTargets: PlanTarget[] = targets.map((t) => ({
      id: t.id,
      name: t.name,
      eligible: { ok: true },
      freeMiB: Math.max(0, (t.facts?.freeMemoryMiB ?? 0) - MEMORY_MARGIN_MIB),
      domains: t.domains.map((d) => d.name),
    }));
    return planEvacuation({
      source: { id: "", name: "the cluster" },
      domains,
      targets: planTargets,
      rules,
      ...hooks,
      maxConcurrent: this.engine.maxOutgoingPerHost,
      cap,
      fixedTargets: Object.fromEntries(domains.map((d) => [d.name, targetOf.get(d.name)!.name])),
    });
  }

  /** Applies the recommendation the operator read (all of it, or the moves in `only`), as an evacuation. */
  async run(req: BalanceRun, by: string, trigger: "operator" | "automatic" = "operator"): Promise<EvacuationView> {
    const busy = await this.db.evacuation.findFirst({
      where: { kind: "balance", status: { in: ["running", "stopping"] } },
    });
    if (busy)
      throw new AppError(
        "conflict",
        `A balancing plan is already running (started by ${busy.createdBy}): stop it or wait for it before applying another.`,
      );
    const { expect, only, ...request } = req;
    const made = await this.make(request);
    let plan = made.view.plan;
    let read = expect;
    if (only) {
      const planned = new Set(plan.moves.map((m) => m.domain));
      const missing = only.filter((d) => !planned.has(d));
      if (missing.length)
        throw new AppError(
          "conflict",
          `${missing.slice(0, 3).join(", ")} ${missing.length > 1 ? "are" : "is"} not in the recommendation now: read it again.`,
        );
      const affinity = (await this.placement.settings()).rules.filter((x) => x.kind === "affinity");
      for (const r of made.view.recommendation.moves)
        if (only.includes(r.domain))
          for (const rule of affinity)
            if (rule.domains.includes(r.domain)) {
              const partner = plan.moves.find((m) => m.domain !== r.domain && rule.domains.includes(m.domain));
              if (partner && !only.includes(partner.domain))
                throw new AppError(
                  "invalid_input",
                  `${r.domain} moves with ${partner.domain} (affinity rule "${rule.name}"): apply both or neither.`,
                );
            }
      plan = made.planFor(made.asked.filter((d) => only.includes(d.name)));
      read = expect.filter((m) => only.includes(m.domain));
    }
    const options: Record<string, MigrationOptions | undefined> = made.options;
    const view = await this.evacuations.runPlanned("balance", made.view.settings.mode, plan, options, read, by);
    this.emit("applied", { moves: plan.moves.length, trigger });
    return view;
  }

  /** Domains a balancing plan moved within the guard, by UUID (name when it has none): not moved again yet, and why. */
  private async recentlyMoved(guardMs: number, now = Date.now()): Promise<Map<string, string>> {
    if (guardMs <= 0) return new Map();
    const since = new Date(now - guardMs);
    const evacuations = await this.db.evacuation.findMany({
      where: { kind: "balance", OR: [{ finishedAt: null }, { finishedAt: { gte: since } }] },
      select: { id: true },
    });
    if (!evacuations.length) return new Map();
    const jobs = await this.db.job.findMany({
      where: { evacuationId: { in: evacuations.map((e) => e.id) }, status: "succeeded", finishedAt: { gte: since } },
      select: { domainName: true, domainUuid: true, finishedAt: true, targetName: true },
    });
    const out = new Map<string, string>();
    for (const j of jobs) {
      const ago = Math.max(1, Math.round((now - j.finishedAt!.getTime()) / 60_000));
      out.set(
        j.domainUuid ?? j.domainName,
        `was moved to ${j.targetName} by balancing ${ago} min ago (balancing leaves it there for ${Math.round(guardMs / 60_000)} min)`,
      );
    }
    return out;
  }
}
