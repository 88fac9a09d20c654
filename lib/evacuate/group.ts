import { MEMORY_MARGIN_MIB, notInMaintenance } from "../checks/rules";
import { AppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import type { JobEngine } from "../jobs/engine";
import type { MigrationOptions } from "../toolstacks/types";
import { askChecks, eligibleTarget, planDomain, type AskedDomain } from "./ask";
import type { Placement } from "./placement";
import { planEvacuation, type LeftDomain, type Plan, type PlacementRule, type PlanTarget } from "./plan";
import type { GroupRequest } from "./schema";

// A group move: domains the operator selected (on the Cluster page, from any hosts) go to one host, or anywhere
// that fits. The evacuation planner places and orders them (lib/evacuate/plan.ts) with every move's own checks and
// forecast; a domain that cannot go is listed with the reason, and nothing moves until the operator runs the plan.

export interface GroupPlan {
  plan: Plan;
  options: Record<string, MigrationOptions | undefined>;
  /** the chosen host's name, or "anywhere that fits" */
  targetName: string;
}

export async function planGroup(
  inventory: Inventory,
  engine: JobEngine,
  placement: Placement,
  req: GroupRequest,
): Promise<GroupPlan> {
  const target = req.targetId ? inventory.get(req.targetId) : null;
  if (req.targetId && !target) throw new AppError("not_found", "No such host.");
  const settings = await placement.settings();
  const setting = (name: string) => settings.domains.find((d) => d.domain === name);
  const left: LeftDomain[] = [];
  const domains: AskedDomain[] = [];
  for (const sel of req.domains) {
    const view = inventory.get(sel.hostId);
    const info = view?.domains.find((d) => d.name === sel.domain && d.id !== 0);
    if (!view || !info) {
      left.push({
        domain: sel.domain,
        memoryMiB: 0,
        reason: `${sel.domain} is no longer on ${view?.name ?? "the host it was selected on"}: refresh and select it again.`,
        options: ["keep"],
      });
    } else if (target && view.id === target.id) {
      left.push({
        domain: sel.domain,
        memoryMiB: info.memoryMiB,
        reason: `${sel.domain} already runs on ${target.name}.`,
        options: ["keep"],
      });
    } else domains.push(planDomain(info, view, setting(sel.domain), view));
  }
  const targets = target ? [target] : inventory.snapshot();
  // a target as such (online, not in maintenance); what depends on each domain's own host is asked per domain
  const planTargets: PlanTarget[] = targets.map((t) => {
    const inMaintenance = notInMaintenance(t);
    return {
      id: t.id,
      name: t.name,
      eligible:
        t.status !== "online" || !t.facts
          ? { ok: false, reason: `${t.name} is ${t.status}${t.reason ? `: ${t.reason}` : ""}` }
          : inMaintenance.status === "fail"
            ? { ok: false, reason: inMaintenance.reason.replace(/\.$/, "") }
            : { ok: true },
      freeMiB: Math.max(0, (t.facts?.freeMemoryMiB ?? 0) - MEMORY_MARGIN_MIB),
      domains: t.domains.map((d) => d.name),
    };
  });
  const eligible = new Set(planTargets.filter((p) => p.eligible.ok).map((p) => p.id));
  const { options, hooks } = await askChecks(engine, domains, (d) =>
    targets
      .filter((t) => eligible.has(t.id))
      .map((host) => {
        if (host.id === d.view.id) return { host, refusal: "it runs there" };
        const e = eligibleTarget(d.view, host);
        return { host, refusal: e.ok ? null : e.reason };
      }),
  );
  const plan = planEvacuation({
    source: { id: target?.id ?? "", name: "the selection" },
    domains,
    targets: planTargets,
    rules: settings.rules.map((r) => ({ ...r, kind: r.kind as PlacementRule["kind"] })),
    ...hooks,
    maxConcurrent: engine.maxOutgoingPerHost,
    cap: req.cap,
    fixedTargets: target ? Object.fromEntries(domains.map((d) => [d.name, target.name])) : undefined,
  });
  return {
    plan: { ...plan, left: [...left, ...plan.left], complete: plan.moves.length === req.domains.length },
    options,
    targetName: target?.name ?? "anywhere that fits",
  };
}
