import { AppError } from "../errors";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import { oneDomainNamed } from "../inventory/problems";
import { driverOf, type MigrationOptions } from "../toolstacks";
import { imageDirsOf, type ImageCatalog } from "../images/catalog";
import { isInside } from "../toolstacks/names";
import { forecastMigration } from "../forecast/inputs";
import { otherMachine } from "../checks/rules";
import { guestEmulated } from "./preflight";
import type { Preflight } from "./preflight";
import { busyError } from "./busy";
import type { JobKind } from "./types";
import type { JobRow } from "./kinds/context";

// The job engine's admission (one room of lib/jobs/engine.ts): a request is refused with a sentence when it names
// what is not there or asks what its hosts cannot do; otherwise it becomes a job row, created together with its
// domain's lock — a second job for the same domain, from this process or any other instance, is refused.

export interface MigrateRequest {
  domain: string;
  sourceId: string;
  targetId: string;
  createdBy: string;
  confirmWarnings: boolean;
  options?: MigrationOptions;
  /** the evacuation this migration is one move of */
  evacuationId?: string;
  /**
   * jobs this migration follows onto the link (an evacuation's next move): it runs its checks now and starts sending
   * once each of them has sent its memory (lib/jobs/watch.ts)
   */
  after?: string[];
}
export interface SaveRequest {
  domain: string;
  hostId: string;
  /** one of the host's image directories */
  dir: string;
  createdBy: string;
}
export interface RestoreRequest {
  imageId: string;
  targetId: string;
  createdBy: string;
  /** the operator knows the domain's disks have changed since the image (its restore check then warns) */
  acknowledgeStale?: boolean;
}
export interface MoveRequest {
  domain: string;
  sourceId: string;
  targetId: string;
  createdBy: string;
  /** the evacuation whose plan this move is part of */
  evacuationId?: string;
}

export type JobRowData = Omit<Parameters<Db["job"]["create"]>[0]["data"], "ownerId" | "lock">;

export interface AdmissionDeps {
  db: Db;
  inventory: Inventory;
  catalog: ImageCatalog;
  preflight: Preflight;
  /** the Ferry instance the jobs are created by (several instances on PostgreSQL) */
  instanceId: string | null;
}

export class Admission {
  constructor(private readonly deps: AdmissionDeps) {}

  async migrate(req: MigrateRequest): Promise<JobRowData> {
    const { source, target, domain } = this.deps.preflight.resolve(req.domain, req.sourceId, req.targetId);
    // a migration onto the machine it runs on is refused here, not made a failed job (History counts those)
    const differs = otherMachine(domain.name, source, target);
    if (differs.status === "fail") throw new AppError("invalid_input", differs.reason);
    const driver = driverOf(source.toolstack);
    if (
      req.options &&
      Object.values(req.options).some((v) => v !== undefined && v !== false) &&
      !driver.capabilities.migrationOptions
    ) {
      throw new AppError(
        "invalid_input",
        `${source.name} uses ${driver.label}: bandwidth limit, maximum downtime, auto-converge and post-copy are not options it has.`,
      );
    }
    const emulated = await guestEmulated(this.deps.inventory, source, domain.name);
    const refused = req.options && driver.refusedOption?.(source.name, emulated, req.options);
    if (refused) throw new AppError("invalid_input", refused);
    // options the source must migrate with instead (the checks list says why)
    const safer = driver.saferOptions?.(source.name, emulated, req.options ?? {});
    const options = safer?.options ?? req.options;
    const forecast = await forecastMigration(
      this.deps.db,
      this.deps.preflight.forecastRequest(source, target, domain, options),
    );
    const ahead = req.after?.length
      ? (await this.deps.db.job.findMany({ where: { id: { in: req.after } } })).map((j) => ({
          id: j.id,
          domain: j.domainName,
        }))
      : [];
    return {
      kind: "migrate",
      domainName: domain.name,
      domainUuid: domain.uuid,
      memoryMiB: domain.memoryMiB,
      sourceHostId: source.id,
      targetHostId: target.id,
      sourceName: source.name,
      targetName: target.name,
      createdBy: req.createdBy,
      evacuationId: req.evacuationId ?? null,
      optionsJson: JSON.stringify({
        confirmWarnings: req.confirmWarnings,
        ...(options ? { migration: options } : {}),
        ...(safer ? { saferBecause: safer.reason } : {}),
        ...(ahead.length ? { after: ahead } : {}),
      }),
      forecastJson: JSON.stringify(forecast),
    };
  }

  /** Save a running domain to `dir` on its host (one of the host's image directories). */
  save(req: SaveRequest): JobRowData {
    const host = this.deps.inventory.get(req.hostId);
    if (!host) throw new AppError("not_found", "The host is not registered.");
    const domain = oneDomainNamed(host, req.domain);
    if (!domain)
      throw new AppError("domain_not_found", `${req.domain} is not running on ${host.name} (as of the last refresh).`);
    const dirs = imageDirsOf(host);
    if (!dirs.includes(req.dir))
      throw new AppError("invalid_input", `Save into one of ${host.name}'s image directories: ${dirs.join(", ")}.`);
    return {
      kind: "save",
      domainName: domain.name,
      domainUuid: domain.uuid,
      memoryMiB: domain.memoryMiB,
      sourceHostId: host.id,
      sourceName: host.name,
      imagePath: `${req.dir}/${domain.name}-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}.save`,
      createdBy: req.createdBy,
    };
  }

  /** Restore a catalogued image on a host. */
  async restore(req: RestoreRequest): Promise<JobRowData> {
    const image = await this.deps.catalog.get(req.imageId);
    const target = this.deps.inventory.get(req.targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    if (!imageDirsOf(target).some((d) => isInside(d, image.path)) && image.hostId !== target.id) {
      throw new AppError("invalid_input", `${image.path} is outside ${target.name}'s image directories.`);
    }
    return {
      kind: "restore",
      domainName: image.domainName,
      domainUuid: null,
      memoryMiB: image.memoryMiB,
      sourceHostId: image.hostId,
      sourceName: image.hostName,
      targetHostId: target.id,
      targetName: target.name,
      imagePath: image.path,
      imageId: image.id,
      createdBy: req.createdBy,
      ...(req.acknowledgeStale ? { optionsJson: JSON.stringify({ acknowledgeStale: true }) } : {}),
    };
  }

  /** Move a domain by save → (copy) → restore, for when live migration is not possible. */
  move(req: MoveRequest): JobRowData {
    const { source, target, domain } = this.deps.preflight.resolve(req.domain, req.sourceId, req.targetId);
    const differs = otherMachine(domain.name, source, target);
    if (differs.status === "fail") throw new AppError("invalid_input", differs.reason);
    return {
      kind: "move",
      domainName: domain.name,
      domainUuid: domain.uuid,
      memoryMiB: domain.memoryMiB,
      sourceHostId: source.id,
      sourceName: source.name,
      targetHostId: target.id,
      targetName: target.name,
      createdBy: req.createdBy,
      evacuationId: req.evacuationId ?? null,
    };
  }

  /**
   * Creates the job's row with its domain's lock in one transaction: a second job for the same domain — from this
   * process or from any other instance on the same database — fails on the lock's key and is refused.
   */
  async create(data: JobRowData): Promise<JobRow> {
    try {
      return await this.deps.db.job.create({
        data: { ...data, ownerId: this.deps.instanceId, lock: { create: { domainName: data.domainName } } },
      });
    } catch (e) {
      if ((e as { code?: string }).code !== "P2002") throw e;
      const held = await this.deps.db.domainLock.findUnique({
        where: { domainName: data.domainName },
        include: { job: true },
      });
      throw busyError(data.domainName, held?.job ? { ...held.job, kind: held.job.kind as JobKind } : null);
    }
  }
}
