import type { Db } from "../db/client";
import { AppError, toAppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import type { JobEngine } from "../jobs/engine";
import type { HostService } from "../hosts/service";
import { forecastAt, type ForecastWithInputs } from "../forecast/inputs";
import { DEFAULT_MAX_DOWNTIME_MS } from "../forecast/model";
import { MEMORY_MARGIN_MIB, notInMaintenance, otherMachine, sameCpu, sameToolstack } from "../checks/rules";
import { driverOf } from "../toolstacks";
import type { DomainInfo, MigrationOptions } from "../toolstacks/types";
import { planEvacuation, type Plan, type PlanDomain, type PlanTarget, type PlacementRule } from "./plan";
import type { PlanRequest } from "./schema";
import type { Placement } from "./placement";
import { EvacuationRunner } from "./runner";
import type { EvacuationStatus, EvacuationView, MoveState } from "./types";

export type { EvacuationStatus, EvacuationView, MoveState, MoveStateName } from "./types";

// Evacuations and returns home: the plan (a dry run anyone may read), then one parent with a live migration
// job per domain. A failed move does not stop the others; Stop launches nothing new; after a restart the plan
// resumes from where each domain really is (the engine closes its jobs by asking the hosts first).

const movable = (d: DomainInfo) => d.state === "running" || d.state === "idle";
const isDom0 = (d: DomainInfo) => d.id === 0;

export class EvacuationService {
  /** each running evacuation's loop (lib/evacuate/runner.ts) */
  private readonly runner: EvacuationRunner;

  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
    private readonly engine: JobEngine,
    private readonly hosts: HostService,
    /** priorities, maximum downtimes and placement rules (lib/evacuate/placement.ts) */
    private readonly placement: Placement,
    /** the Ferry instance driving the evacuations this service starts (several instances on PostgreSQL) */
    private readonly ownerId: string | null = null,
  ) {
    this.runner = new EvacuationRunner(db, engine);
  }

  // ---- the plan ----

  /** The dry run: nothing moves. */
  async plan(req: PlanRequest): Promise<{ plan: Plan; options: Record<string, MigrationOptions | undefined> }> {
    const host = this.inventory.get(req.hostId);
    if (!host) throw new AppError("not_found", "No such host.");
    const settings = await this.placement.settings();
    const setting = (name: string) => settings.domains.find((d) => d.domain === name);
    const domains: (PlanDomain & { view: HostView; info: DomainInfo })[] = [];
    let targets: HostView[];
    let fixedTargets: Record<string, string> | undefined;
    if (req.kind === "return") {
      if (host.maintenance)
        throw new AppError("conflict", `${host.name} is still in maintenance: take it out of maintenance first.`);
      for (const { domain } of await this.leftHome(host)) {
        const at = this.inventory
          .snapshot()
          .find((h) => h.id !== host.id && h.domains.some((d) => d.name === domain && !isDom0(d)));
        const info = at?.domains.find((d) => d.name === domain);
        if (!at || !info) continue;
        domains.push(this.planDomain(info, at, setting(domain), at));
      }
      targets = [host];
      fixedTargets = Object.fromEntries(domains.map((d) => [d.name, host.name]));
    } else {
      for (const d of host.domains.filter((x) => !isDom0(x))) domains.push(this.planDomain(d, host, setting(d.name)));
      targets = this.inventory.snapshot().filter((h) => h.id !== host.id);
    }
    const planTargets: PlanTarget[] = targets.map((t) => ({
      id: t.id,
      name: t.name,
      eligible: this.eligible(req.kind === "return" ? (domains[0]?.view ?? host) : host, t),
      freeMiB: Math.max(0, (t.facts?.freeMemoryMiB ?? 0) - MEMORY_MARGIN_MIB),
      domains: t.domains.map((d) => d.name),
    }));

    // the live migration's own checks and forecast for each domain and eligible target (storage, reachability,
    // jobs already running): what the drag-and-drop dialog would say, so that a plan never proposes a refused move
    const options: Record<string, MigrationOptions | undefined> = {};
    const forecasts = new Map<string, ForecastWithInputs>();
    const refusals = new Map<string, string>();
    const asks: (() => Promise<void>)[] = [];
    /** how long a move's checks take: the engine runs them again before each move, so each move costs that */
    const checkMs: number[] = [];
    for (const d of domains.filter((x) => x.running)) {
      const driver = driverOf(d.view.toolstack);
      options[d.name] = driver.capabilities.migrationOptions ? { maxDowntimeMs: d.maxDowntimeMs } : undefined;
      for (const t of targets) {
        if (!planTargets.find((p) => p.id === t.id)!.eligible.ok) continue;
        asks.push(() => {
          const t0 = performance.now();
          return this.engine.check(d.name, d.view.id, t.id, undefined, options[d.name]).then(
            (r) => {
              checkMs.push(performance.now() - t0);
              forecasts.set(`${d.name}|${t.name}`, r.forecast);
              const failed = r.checks.filter((c) => c.status === "fail");
              if (failed.length) refusals.set(`${d.name}|${t.name}`, failed.map((c) => c.reason).join(" "));
            },
            (e) => {
              refusals.set(`${d.name}|${t.name}`, toAppError(e).message);
            },
          );
        });
      }
    }
    // four at a time: a host's SSH connection has 8 channels, and a check that times out in a crowd would
    // refuse a target that is fine (and make the plan differ from one reading to the next)
    const queue = [...asks];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await next();
      }),
    );
    // a dirty rate that is only Ferry's default (never migrated, not measurable) is a guess
    for (const d of domains) {
      const any = [...forecasts].find(([k]) => k.startsWith(`${d.name}|`))?.[1];
      if (any) d.dirtyRateKnown = any.inputs.estimate !== "a default";
    }
    const byName = new Map(domains.map((d) => [d.name, d]));
    const plan = planEvacuation({
      source: { id: host.id, name: host.name },
      domains,
      targets: planTargets,
      rules: settings.rules.map((r) => ({ ...r, kind: r.kind as PlacementRule["kind"] })),
      refusal: (name, target) =>
        refusals.get(`${name}|${target}`) ?? (forecasts.has(`${name}|${target}`) ? null : "not checked"),
      forecast: (name, target, bps) => {
        const d = byName.get(name)!;
        const policy = driverOf(d.view.toolstack).capabilities.precopyPolicy;
        return forecastAt(forecasts.get(`${name}|${target}`)!, d.memoryMiB, policy, options[name], bps);
      },
      linkBps: (from, target) => {
        const any = [...forecasts].find(
          ([k]) => k.endsWith(`|${target}`) && byName.get(k.split("|")[0])?.view.name === from,
        );
        return any?.[1].inputs.bandwidthBps ?? 125_000_000;
      },
      maxConcurrent: this.engine.maxOutgoingPerHost,
      cap: req.cap,
      overheadMs: checkMs.length
        ? Math.max(100, [...checkMs].sort((a, b) => a - b)[Math.floor(checkMs.length / 2)])
        : 1000,
      fixedTargets,
    });
    return { plan, options };
  }

  private planDomain(
    info: DomainInfo,
    view: HostView,
    s: { priority: number; maxDowntimeMs: number | null } | undefined,
    from?: HostView,
  ) {
    return {
      name: info.name,
      memoryMiB: info.memoryMiB,
      running: movable(info),
      priority: s?.priority ?? 50,
      maxDowntimeMs: s?.maxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS,
      ...(from ? { from: { id: from.id, name: from.name } } : {}),
      view,
      info,
    };
  }

  /** The checks that make a host a possible target at all, from what the inventory knows. */
  private eligible(source: HostView, t: HostView): PlanTarget["eligible"] {
    if (t.status !== "online" || !t.facts || !source.facts)
      return { ok: false, reason: `${t.name} is ${t.status}${t.reason ? `: ${t.reason}` : ""}` };
    for (const v of [
      otherMachine("its domains", source, t),
      notInMaintenance(t),
      sameToolstack(source.name, source.facts.toolstack, t.name, t.facts.toolstack),
      sameCpu(source.name, source.facts, t.name, t.facts),
    ])
      if (v.status === "fail") return { ok: false, reason: v.reason.replace(/\.$/, "") };
    return { ok: true };
  }

  /** The domains that left `host` in its evacuations and have not come back: where they went. */
  async leftHome(host: HostView): Promise<{ domain: string; to: string }[]> {
    const jobs = await this.db.job.findMany({
      where: { sourceHostId: host.id, status: "succeeded", evacuationId: { not: null } },
      orderBy: { createdAt: "desc" },
    });
    const evacuations = new Set(
      (
        await this.db.evacuation.findMany({
          where: { id: { in: [...new Set(jobs.map((j) => j.evacuationId!))] }, kind: "evacuate" },
          select: { id: true },
        })
      ).map((e) => e.id),
    );
    const seen = new Set<string>();
    const out: { domain: string; to: string }[] = [];
    for (const j of jobs) {
      if (!evacuations.has(j.evacuationId!) || seen.has(j.domainName)) continue;
      seen.add(j.domainName);
      if (host.domains.some((d) => d.name === j.domainName)) continue; // already home
      out.push({ domain: j.domainName, to: j.targetName ?? "?" });
    }
    return out;
  }

  // ---- running it ----

  async run(req: PlanRequest & { expect: { domain: string; target: string }[] }, by: string): Promise<EvacuationView> {
    const host = this.inventory.get(req.hostId);
    if (!host) throw new AppError("not_found", "No such host.");
    const busy = await this.db.evacuation.findFirst({
      where: { hostId: host.id, status: { in: ["running", "stopping"] } },
    });
    if (busy)
      throw new AppError(
        "conflict",
        `${host.name} already has a ${busy.kind === "return" ? "return home" : "evacuation"} running (started by ${busy.createdBy}); stop it or wait for it.`,
      );
    const { plan, options } = await this.plan(req);
    const now = plan.moves.map((m) => `${m.domain}→${m.target}`).sort();
    const read = req.expect.map((m) => `${m.domain}→${m.target}`).sort();
    if (now.join("\n") !== read.join("\n")) {
      const gone = read.filter((m) => !now.includes(m));
      const added = now.filter((m) => !read.includes(m));
      throw new AppError(
        "conflict",
        `The cluster changed since this plan was made (a domain or a host's room is not what it was): read the new plan before running it.${gone.length ? ` No longer planned: ${gone.slice(0, 3).join(", ")}${gone.length > 3 ? "…" : ""}.` : ""}${added.length ? ` Now planned: ${added.slice(0, 3).join(", ")}${added.length > 3 ? "…" : ""}.` : ""}`,
      );
    }
    if (!plan.moves.length) throw new AppError("invalid_input", "The plan has nothing to move.");
    // an evacuated host receives nothing while it empties
    if (req.kind === "evacuate" && !host.maintenance) await this.hosts.setMaintenance(host.id, true, by);
    const moves: MoveState[] = plan.moves.map((m) => ({
      domain: m.domain,
      from: m.from,
      fromId: m.fromId,
      target: m.target,
      targetId: m.targetId,
      state: "pending",
      jobId: null,
      message: null,
      options: options[m.domain],
    }));
    const row = await this.db.evacuation.create({
      data: {
        kind: req.kind,
        hostId: host.id,
        hostName: host.name,
        status: "running",
        planJson: JSON.stringify(plan),
        movesJson: JSON.stringify(moves),
        createdBy: by,
        ownerId: this.ownerId,
      },
    });
    void this.runner.drive(row.id);
    return this.get(row.id);
  }

  /** Stop: nothing new starts; running moves finish, or are cancelled as any job is. */
  async stop(id: string, cancelRunning: boolean): Promise<EvacuationView> {
    const row = await this.db.evacuation.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", "No such evacuation.");
    if (row.status !== "running" && row.status !== "stopping")
      throw new AppError("conflict", "This evacuation has already ended.");
    this.runner.stopping.add(id);
    await this.db.evacuation.update({ where: { id }, data: { status: "stopping" } });
    if (cancelRunning) {
      const moves = JSON.parse(row.movesJson) as MoveState[];
      for (const m of moves.filter((x) => x.state === "running" && x.jobId))
        await this.engine.cancel(m.jobId!).catch(() => undefined); // past the point of no return: it finishes
    }
    // its owner drives it (another live instance sees the status in the row); with one instance, this one
    if (!this.runner.drives(id) && (!row.ownerId || row.ownerId === this.ownerId)) void this.runner.drive(id);
    return this.get(id);
  }

  async get(id: string): Promise<EvacuationView> {
    const row = await this.db.evacuation.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", "No such evacuation.");
    const plan = JSON.parse(row.planJson) as Plan;
    const moves = JSON.parse(row.movesJson) as MoveState[];
    const open = moves.filter((m) => m.state === "pending" || m.state === "running");
    const planned = new Map(plan.moves.map((m) => [m.domain, m.durationMs]));
    const rest = open.reduce((a, m) => a + (planned.get(m.domain) ?? 0), 0);
    return {
      id: row.id,
      kind: row.kind === "return" ? "return" : "evacuate",
      hostId: row.hostId,
      hostName: row.hostName,
      status: row.status as EvacuationStatus,
      plan,
      moves,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      etaMs:
        row.status === "running" || row.status === "stopping" ? Math.round(rest / Math.max(1, plan.concurrency)) : null,
    };
  }

  async list(hostId?: string): Promise<EvacuationView[]> {
    const rows = await this.db.evacuation.findMany({
      where: hostId ? { hostId } : {},
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true },
    });
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  /** After a restart (or adopted from an instance that died: `ids`): evacuations that were running go on (or finish stopping) from where each domain is. */
  async recover(ids?: string[]): Promise<number> {
    const rows = await this.db.evacuation.findMany({
      where: { status: { in: ["running", "stopping"] }, ...(ids ? { id: { in: ids } } : {}) },
    });
    for (const r of rows) {
      if (r.status === "stopping") this.runner.stopping.add(r.id);
      void this.runner.drive(r.id);
    }
    return rows.length;
  }

  /** A stop: every evacuation loop stops where it is, to be resumed by the next start (or the instance adopting it). */
  close() {
    this.runner.close();
  }
}
