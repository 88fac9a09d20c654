import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import type { JobEngine } from "../jobs/engine";
import type { HostService } from "../hosts/service";
import { MEMORY_MARGIN_MIB } from "../checks/rules";
import type { DomainInfo, MigrationOptions } from "../toolstacks/types";
import { askChecks, eligibleTarget, planDomain, type AskedDomain } from "./ask";
import { addMovesBySaveRestore } from "./by-save-restore";
import { planEvacuation, type Plan, type PlanTarget, type PlacementRule } from "./plan";
import type { GroupRequest, PlanRequest } from "./schema";
import { planGroup, type GroupPlan } from "./group";
import type { Placement } from "./placement";
import { EvacuationRunner } from "./runner";
import type { EvacuationStatus, EvacuationView, MoveState } from "./types";

export type { EvacuationStatus, EvacuationView, MoveState, MoveStateName } from "./types";

// Evacuations and returns home: the plan (a dry run anyone may read), then one parent with a live migration
// job per domain. A failed move does not stop the others; Stop launches nothing new; after a restart the plan
// resumes from where each domain really is (the engine closes its jobs by asking the hosts first).

const isDom0 = (d: DomainInfo) => d.id === 0;

/** Refuses to run a plan other than the one the operator read (the cluster changed since), or one with no move. */
function unchangedSince(plan: Plan, expect: { domain: string; target: string }[]) {
  const now = plan.moves.map((m) => `${m.domain}→${m.target}`).sort();
  const read = expect.map((m) => `${m.domain}→${m.target}`).sort();
  if (now.join("\n") !== read.join("\n")) {
    const gone = read.filter((m) => !now.includes(m));
    const added = now.filter((m) => !read.includes(m));
    throw new AppError(
      "conflict",
      `The cluster changed since this plan was made (a domain or a host's room is not what it was): read the new plan before running it.${gone.length ? ` No longer planned: ${gone.slice(0, 3).join(", ")}${gone.length > 3 ? "…" : ""}.` : ""}${added.length ? ` Now planned: ${added.slice(0, 3).join(", ")}${added.length > 3 ? "…" : ""}.` : ""}`,
    );
  }
  if (!plan.moves.length) throw new AppError("invalid_input", "The plan has nothing to move.");
}

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
    const domains: AskedDomain[] = [];
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
        domains.push(planDomain(info, at, setting(domain), at));
      }
      targets = [host];
      fixedTargets = Object.fromEntries(domains.map((d) => [d.name, host.name]));
    } else {
      for (const d of host.domains.filter((x) => !isDom0(x))) domains.push(planDomain(d, host, setting(d.name)));
      targets = this.inventory.snapshot().filter((h) => h.id !== host.id);
    }
    const planTargets: PlanTarget[] = targets.map((t) => ({
      id: t.id,
      name: t.name,
      eligible: eligibleTarget(req.kind === "return" ? (domains[0]?.view ?? host) : host, t),
      freeMiB: Math.max(0, (t.facts?.freeMemoryMiB ?? 0) - MEMORY_MARGIN_MIB),
      domains: t.domains.map((d) => d.name),
    }));
    const eligible = new Set(planTargets.filter((p) => p.eligible.ok).map((p) => p.id));
    const { options, hooks } = await askChecks(this.engine, domains, () =>
      targets.filter((t) => eligible.has(t.id)).map((host) => ({ host, refusal: null })),
    );
    const rules = settings.rules.map((r) => ({ ...r, kind: r.kind as PlacementRule["kind"] }));
    const live = planEvacuation({
      source: { id: host.id, name: host.name },
      domains,
      targets: planTargets,
      rules,
      ...hooks,
      maxConcurrent: this.engine.maxOutgoingPerHost,
      cap: req.cap,
      fixedTargets,
    });
    // an evacuation empties the host: what cannot go live may go by save/restore (a return home stays live)
    const plan =
      req.kind === "return"
        ? live
        : await addMovesBySaveRestore(live, domains, planTargets, rules, (d, s, t) =>
            this.engine.preflight.checkMove(d, s, t),
          );
    return { plan, options };
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
    unchangedSince(plan, req.expect);
    // an evacuated host receives nothing while it empties
    if (req.kind === "evacuate" && !host.maintenance) await this.hosts.setMaintenance(host.id, true, by);
    return this.start(req.kind, host, plan, options, by);
  }

  /** A group move's plan: the selected domains, to one host or anywhere that fits (lib/evacuate/group.ts). */
  planGroup(req: GroupRequest): Promise<GroupPlan> {
    return planGroup(this.inventory, this.engine, this.placement, req);
  }

  async runGroup(req: GroupRequest & { expect: { domain: string; target: string }[] }, by: string) {
    const { plan, options, targetName } = await this.planGroup(req);
    unchangedSince(plan, req.expect);
    // not tied to one host: no host's maintenance page lists it (hostId "")
    return this.start("group", { id: "", name: targetName }, plan, options, by);
  }

  /**
   * A plan another planner made (balancing: lib/balance/service.ts), made again just now: run if it is still the one
   * the operator read. `label` names it on its board.
   */
  async runPlanned(
    kind: "balance",
    label: string,
    plan: Plan,
    options: Record<string, MigrationOptions | undefined>,
    expect: { domain: string; target: string }[],
    by: string,
  ): Promise<EvacuationView> {
    unchangedSince(plan, expect);
    return this.start(kind, { id: "", name: label }, plan, options, by);
  }

  /** One parent row for the plan's moves, and its loop. */
  private async start(
    kind: EvacuationView["kind"],
    host: { id: string; name: string },
    plan: Plan,
    options: Record<string, MigrationOptions | undefined>,
    by: string,
  ): Promise<EvacuationView> {
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
      ...(m.how ? { how: m.how } : {}),
    }));
    const row = await this.db.evacuation.create({
      data: {
        kind,
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

  /** Stop: nothing new starts (nor does a move waiting to follow another); running moves finish, or are cancelled as any job is. */
  async stop(id: string, cancelRunning: boolean): Promise<EvacuationView> {
    const row = await this.db.evacuation.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", "No such evacuation.");
    if (row.status !== "running" && row.status !== "stopping")
      throw new AppError("conflict", "This evacuation has already ended.");
    this.runner.stopping.add(id);
    await this.db.evacuation.update({ where: { id }, data: { status: "stopping" } });
    // a move started early to follow another onto the link, still checking or waiting for its turn (its job not yet
    // running), has sent nothing: it is cancelled like a move not started; one already sending finishes as any other
    const notSending = new Set(
      this.engine
        .activeSummaries()
        .filter((s) => s.status === "queued" || s.status === "checking")
        .map((s) => s.id),
    );
    const moves = JSON.parse(row.movesJson) as MoveState[];
    for (const m of moves.filter(
      (x) => x.state === "running" && x.jobId && (cancelRunning || (x.after?.length && notSending.has(x.jobId))),
    ))
      await this.engine.cancel(m.jobId!).catch(() => undefined); // past the point of no return: it finishes
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
      kind: row.kind === "return" || row.kind === "group" || row.kind === "balance" ? row.kind : "evacuate",
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
      where: hostId ? { hostId, kind: { in: ["evacuate", "return"] } } : {},
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
