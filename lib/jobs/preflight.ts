import { RateLimiterMemory } from "rate-limiter-flexible";
import { AppError } from "../errors";
import type { HoldingJob } from "./busy";
import type { JobKind } from "./types";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import { oneDomainNamed } from "../inventory/problems";
import type { HostView } from "../inventory/types";
import type { DomainInfo } from "../toolstacks/types";
import { checkMigration, targetAddressOf, type Check } from "../checks/migration";
import { copiesOf, type DiskPlan } from "../checks/storage";
import { forecastRule } from "../checks/rules";
import { driverOf, type MigrationOptions, type ToolstackCapabilities } from "../toolstacks";
import { forecastMigration, type ForecastRequest, type ForecastWithInputs } from "../forecast/inputs";
import { forecastMoveOutage, type OutageForecast } from "../forecast/outage";
import { probeLink } from "../forecast/link-probe";
import { imageDirsOf, type ImageCatalog } from "../images/catalog";
import type { RunContext } from "./kinds/context";
import { saveChecks } from "./kinds/image-steps";
import { restoreChecks } from "./kinds/restore-checks";
import { moveChecks } from "./kinds/move";

// The dialogs' questions, answered before anything starts (one room of the job engine): the checks of every job
// kind, the forecast that goes with a migration or a move, and the limiter that keeps a flood of questions from
// crowding a host's running jobs. A job's own run asks the same checks again (lib/jobs/kinds/*).

/** The dialog's answer: the checks, the forecast, how the memory travels, and what the source's toolstack offers. */
export interface CheckResult {
  checks: Check[];
  /** each disk's way to the target: shared, or copied with the memory */
  disks: DiskPlan[];
  transport: string;
  forecast: ForecastWithInputs;
  capabilities: ToolstackCapabilities;
  toolstackLabel: string;
}
export interface MoveCheckResult {
  checks: Check[];
  outage: OutageForecast;
  shared: boolean;
}
export interface PreflightDeps {
  db: Db;
  inventory: Inventory;
  catalog: ImageCatalog;
  /** the job that works on a domain in this process, if any */
  activeJobOn(domain: string): HoldingJob | null;
  /** checks a caller adds to every live migration's (the placement rules); warnings, never the engine's own */
  extraChecks: ((domain: string, target: HostView) => Promise<Check[]>) | null;
  reconnectMs: number;
  settlePollMs: number;
}

const CHECKS_PER_USER = 40;

export class Preflight {
  private readonly asked = new Map<string, Promise<CheckResult>>();
  private readonly limiter = new RateLimiterMemory({ points: CHECKS_PER_USER, duration: 10 });

  constructor(private readonly deps: PreflightDeps) {}

  /** The job another instance runs on a domain (its lock's), if any. */
  private async lockHolder(domainName: string): Promise<HoldingJob | null> {
    const lock = await this.deps.db.domainLock
      .findUnique({ where: { domainName }, include: { job: true } })
      .catch(() => null);
    return lock ? { ...lock.job, kind: lock.job.kind as JobKind } : null;
  }

  /**
   * Checks a proposed migration now, without starting anything (the dialog's list, the drag preview). The same
   * question asked again while it is being answered shares that answer (never an older one: the hosts may have
   * changed); `who` (a user) may ask CHECKS_PER_USER questions per 10 s — a flood of checks must not crowd a
   * host's running jobs.
   */
  async check(
    domainName: string,
    sourceId: string,
    targetId: string,
    who?: string,
    options?: MigrationOptions,
  ): Promise<CheckResult> {
    await this.limit(who);
    const key = `${domainName}\0${sourceId}\0${targetId}\0${JSON.stringify(options ?? {})}`;
    const asked = this.asked.get(key);
    if (asked) return asked;
    const answer = this.migration(domainName, sourceId, targetId, options).finally(() => this.asked.delete(key));
    this.asked.set(key, answer);
    return answer;
  }

  /** A migration's checks and forecast, asked now (no limiter, no sharing: a job's own checks). */
  async migration(
    domainName: string,
    sourceId: string,
    targetId: string,
    options?: MigrationOptions,
  ): Promise<CheckResult> {
    const { db, inventory } = this.deps;
    const { source, target, domain } = this.resolve(domainName, sourceId, targetId);
    const { checks, disks } = await checkMigration({
      domain,
      source,
      target,
      // this process's jobs, then the lock any instance's job holds on the domain
      activeJob: this.deps.activeJobOn(domainName) ?? (await this.lockHolder(domainName)),
      sourceRunner: inventory.connection(source),
      targetRunner: inventory.connection(target),
    });
    // what the source's hypervisor is known to break with: an option refused (QEMU without KVM and a bandwidth
    // limit), or options it runs with instead (a safer maximum downtime), said in the list
    const driver = driverOf(source.toolstack);
    const emulated = await guestEmulated(inventory, source, domainName);
    const refused = options && driver.refusedOption?.(source.name, emulated, options);
    const safer = driver.saferOptions?.(source.name, emulated, options ?? {});
    const diskBytes = copiesOf(disks).reduce((sum, d) => sum + d.allocatedBytes, 0);
    const forecast = await forecastMigration(db, {
      ...this.forecastRequest(source, target, domain, safer?.options ?? options),
      ...(diskBytes ? { diskBytes } : {}),
    });
    // short of converging within the maximum downtime (with the options chosen), the operator is asked
    const rule = forecastRule(forecast);
    if (rule.status !== "ok") checks.push({ id: "forecast", ...rule });
    if (refused) checks.push({ id: "options", label: "Migration options", status: "fail", reason: refused });
    else if (safer) checks.push({ id: "options", label: "Migration options", status: "ok", reason: safer.reason });
    if (this.deps.extraChecks) checks.push(...(await this.deps.extraChecks(domain.name, target)));
    const transport = driver.transport(source.name, targetAddressOf(target));
    return {
      checks,
      disks,
      forecast,
      transport,
      capabilities: source.capabilities,
      toolstackLabel: source.toolstackLabel,
    };
  }

  /**
   * Checks a move by save/restore without starting it: its checks, and how long the domain would be stopped
   * (save, copy where the hosts share no storage, restore) — the dialog asks the operator to accept that outage.
   */
  async checkMove(domainName: string, sourceId: string, targetId: string, who?: string): Promise<MoveCheckResult> {
    await this.limit(who);
    const { source, target, domain } = this.resolve(domainName, sourceId, targetId);
    const { checks, movePath } = await moveChecks(
      this.context(),
      (d, s, t) => this.migration(d, s, t),
      source,
      target,
      domain.name,
    );
    const diskBytes = movePath.disks.reduce((sum, d) => sum + d.bytes, 0);
    const link =
      movePath.shared && !diskBytes
        ? null
        : await probeLink(this.deps.inventory.connection(source), source.name, targetAddressOf(target)).catch(
            () => null,
          );
    const outage = await forecastMoveOutage(this.deps.db, {
      memoryMiB: domain.memoryMiB,
      source: source.name,
      shared: movePath.shared,
      linkBps: link?.bps,
      diskBytes,
    });
    return { checks, outage, shared: movePath.shared };
  }

  /**
   * The save dialog's question: for each directory the domain could be saved into, its checks (private,
   * room, no file of that name) — so the dialog proposes one that passes and never submits one that fails.
   */
  async checkSave(
    domainName: string,
    hostId: string,
    who?: string,
  ): Promise<{ dirs: { dir: string; shared: boolean; checks: Check[] }[] }> {
    await this.limit(who);
    const host = this.deps.inventory.get(hostId);
    if (!host) throw new AppError("not_found", "The host is not registered.");
    const ctx = this.context();
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dirs = await Promise.all(
      imageDirsOf(host).map(async (dir) => ({
        dir,
        shared: dir !== host.imageDir,
        checks: await saveChecks(ctx, host, domainName, `${dir}/${domainName}-${stamp}.save`),
      })),
    );
    return { dirs };
  }

  /** Checks a restore of a catalogued image on a host, without starting anything (the Images page's Check). */
  async checkRestore(imageId: string, targetId: string, who?: string, acknowledgeStale = false): Promise<Check[]> {
    await this.limit(who);
    const target = this.deps.inventory.get(targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    const image = await this.deps.catalog.get(imageId);
    return restoreChecks(this.context(), image, target, acknowledgeStale);
  }

  /** The forecast's request: the toolstack's policy, the chosen options, and QEMU's own dirty-rate measurement. */
  forecastRequest(source: HostView, target: HostView, domain: DomainInfo, options?: MigrationOptions): ForecastRequest {
    const driver = driverOf(source.toolstack);
    const connection = this.deps.inventory.connection(source);
    return {
      domain: domain.name,
      memoryMiB: domain.memoryMiB,
      source: source.name,
      target: target.name,
      capabilities: driver.capabilities,
      options,
      learnFrom: {
        hostIds: this.deps.inventory
          .snapshot()
          .filter((h) => h.toolstack === source.toolstack)
          .map((h) => h.id),
        label: driver.label,
      },
      measureDirtyBps: driver.measureDirtyBps
        ? () => driver.measureDirtyBps!(connection, source.name, domain.name)
        : undefined,
      probeLink: () => probeLink(connection, source.name, targetAddressOf(target)),
    };
  }

  /** The hosts and the domain a request names, as of the last refresh; a sentence when one is not there. */
  resolve(domainName: string, sourceId: string, targetId: string) {
    const source = this.deps.inventory.get(sourceId);
    if (!source) throw new AppError("not_found", "The source host is not registered.");
    const target = this.deps.inventory.get(targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    const domain = oneDomainNamed(source, domainName);
    if (!domain)
      throw new AppError(
        "domain_not_found",
        `${domainName} is not running on ${source.name} (as of the last refresh).`,
      );
    return { source, target, domain };
  }

  /** A user may ask CHECKS_PER_USER questions per 10 s; past that, a 429 with a sentence. */
  private async limit(who?: string) {
    if (!who) return;
    await this.limiter.consume(who).catch(() => {
      throw new AppError("rate_limited", "Too many checks in a few seconds: wait a moment and try again.");
    });
  }

  /** The context checks run in: no job, nothing emitted. */
  private context(): RunContext {
    const { db, inventory, catalog, reconnectMs, settlePollMs } = this.deps;
    return { db, inventory, catalog, jobId: "", emit: async () => {}, reconnectMs, pollMs: settlePollMs };
  }
}

/** Whether the source's hypervisor runs this guest by software emulation (where the driver can tell; else no). */
export async function guestEmulated(inventory: Inventory, source: HostView, domainName: string): Promise<boolean> {
  const driver = driverOf(source.toolstack);
  return (await driver.guestEmulated?.(inventory.connection(source), domainName, source.facts)) ?? false;
}
