import { notInMaintenance, otherMachine, sameCpu, sameToolstack } from "../checks/rules";
import { toAppError } from "../errors";
import { forecastAt, type ForecastWithInputs } from "../forecast/inputs";
import { DEFAULT_MAX_DOWNTIME_MS } from "../forecast/model";
import type { HostView } from "../inventory/types";
import type { JobEngine } from "../jobs/engine";
import { driverOf } from "../toolstacks";
import type { DomainInfo, MigrationOptions } from "../toolstacks/types";
import type { PlanDomain, PlanInput } from "./plan";

// What every plan (an evacuation, a return home, a group of selected domains) asks before it places anything: the
// live migration's own checks and forecast for each domain and possible target — storage, reachability, jobs
// already running — what the drag-and-drop dialog would say, so that a plan never proposes a refused move.

/** A domain as a plan sees it, with the host it runs on and what the inventory says of it. */
export type AskedDomain = PlanDomain & { view: HostView; info: DomainInfo };

const movable = (d: DomainInfo) => d.state === "running" || d.state === "idle";

/** A domain for the planner, with its operator's settings (priority, maximum downtime) or the defaults. */
export function planDomain(
  info: DomainInfo,
  view: HostView,
  s: { priority: number; maxDowntimeMs: number | null } | undefined,
  from?: HostView,
): AskedDomain {
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

export interface Asked {
  options: Record<string, MigrationOptions | undefined>;
  /** what the planner needs from the answers */
  hooks: Pick<PlanInput, "refusal" | "forecast" | "linkBps" | "overheadMs">;
}

/**
 * Asks the engine's checks for each running domain and each target `targetsFor` gives it (or a refusal already
 * known, which is not asked), four at a time: a host's SSH connection has 8 channels, and a check that times out
 * in a crowd would refuse a target that is fine (and make the plan differ from one reading to the next).
 */
export async function askChecks(
  engine: JobEngine,
  domains: AskedDomain[],
  targetsFor: (d: AskedDomain) => { host: HostView; refusal: string | null }[],
): Promise<Asked> {
  const options: Record<string, MigrationOptions | undefined> = {};
  const forecasts = new Map<string, ForecastWithInputs>();
  const refusals = new Map<string, string>();
  const asks: (() => Promise<void>)[] = [];
  /** how long a move's checks take: the engine runs them again before each move, so each move costs that */
  const checkMs: number[] = [];
  for (const d of domains.filter((x) => x.running)) {
    const driver = driverOf(d.view.toolstack);
    options[d.name] = driver.capabilities.migrationOptions ? { maxDowntimeMs: d.maxDowntimeMs } : undefined;
    for (const { host: t, refusal } of targetsFor(d)) {
      if (refusal) {
        refusals.set(`${d.name}|${t.name}`, refusal);
        continue;
      }
      asks.push(() => {
        const t0 = performance.now();
        return engine.check(d.name, d.view.id, t.id, undefined, options[d.name]).then(
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
  return {
    options,
    hooks: {
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
      overheadMs: checkMs.length
        ? Math.max(100, [...checkMs].sort((a, b) => a - b)[Math.floor(checkMs.length / 2)])
        : 1000,
    },
  };
}

/** The checks that make a host a possible target at all for domains of `source`, from what the inventory knows. */
export function eligibleTarget(source: HostView, t: HostView): { ok: true } | { ok: false; reason: string } {
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
