import { EventEmitter } from "node:events";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { AppError, toAppError } from "../errors";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import { checkMigration, targetAddressOf, type Check } from "../checks/migration";
import { driverOf, type MigrationOptions, type ToolstackCapabilities } from "../toolstacks";
import { log } from "../log";
import { summaryOf } from "./store";
import { ImageCatalog, imageDirsOf } from "../images/catalog";
import { isInside } from "../toolstacks/names";
import type { TuneJobInput } from "./schema";
import { forecastMigration, type ForecastRequest, type ForecastWithInputs } from "../forecast/inputs";
import { probeLink } from "../forecast/link-probe";
import type { HostView } from "../inventory/types";
import type { DomainInfo } from "../toolstacks/types";
import { moveChecks, runFileJob, type FileJobDeps, type JobRow } from "./run-file-job";
import { forecastMoveOutage, type OutageForecast } from "../forecast/outage";
import { recoverFileJob } from "./recover-file-job";
import { saveChecks, type RunContext } from "./run-saverestore";
import { restoreChecks } from "./restore-checks";
import { forecastRule, otherMachine } from "../checks/rules";
import { jobLane } from "./lane";
import { StallWatch, stallPolicyOf } from "./stall";
import { isFinal, phaseIndex, type JobEvent, type JobEventInput, type JobStatus, type JobSummary } from "./types";
import { slotHostId, slotHostName } from "./slots";
import { JobEventLog, type LiveJob } from "./event-log";

/**
 * pollMs: the polls that measure a downtime from outside (`xl list`/`xm list`, default 100 ms); virshPollMs: the polls
 * of a toolstack that reports its own figures (`virsh domjobinfo`, default 500 ms, like virsh itself);
 * reconnectMs: how long a host may stay silent after Ferry lost its session mid-job before the job ends
 * "interrupted" with nothing concluded (default 2 min); settlePollMs: how often a command Ferry lost sight
 * of is looked at again (default 1 s); maxOutgoingPerHost: jobs at once per host, counted where each job's work
 * happens (lib/jobs/slots.ts; default 2).
 */
export interface EngineOptions {
  /** the Ferry instance this engine runs in: stamped on the jobs it creates (several instances on PostgreSQL) */
  instanceId?: string;
  instanceName?: string;
  /**
   * Several instances: may this instance start `jobId` now, with at most `max` jobs on `hostId` across all of them?
   * (lib/cluster/cluster.ts counts and marks the job under a lock per host.) Without it, the count is this process's.
   */
  hostGate?: (jobId: string, hostId: string, max: number) => Promise<boolean>;
  /** Several instances: cancel or tune a job that another live instance runs (it is asked, and answers). */
  remote?: RemoteJobs;
  /** Checks a caller adds to every live migration's (the placement rules); warnings, never the engine's own. */
  extraChecks?: (domain: string, target: HostView) => Promise<Check[]>;
  maxOutgoingPerHost?: number;
  pollMs?: number;
  virshPollMs?: number;
  reconnectMs?: number;
  settlePollMs?: number;
}
/** Several instances: a cancel or a tune of a job another live instance runs, passed to it (server.ts). */
export interface RemoteJobs {
  cancel(jobId: string): Promise<JobSummary>;
  tune(jobId: string, change: TuneJobInput, askedBy: string): Promise<JobSummary>;
}

export interface MigrateRequest {
  domain: string;
  sourceId: string;
  targetId: string;
  createdBy: string;
  confirmWarnings: boolean;
  options?: MigrationOptions;
  /** the evacuation this migration is one move of */
  evacuationId?: string;
}

interface Live extends LiveJob {
  cancel: AbortController;
  running: boolean;
}
export interface MoveCheckResult {
  checks: Check[];
  outage: OutageForecast;
  shared: boolean;
}
/** The dialog's answer: the checks, the forecast, how the memory travels, and what the source's toolstack offers. */
export interface CheckResult {
  checks: Check[];
  transport: string;
  forecast: ForecastWithInputs;
  capabilities: ToolstackCapabilities;
  toolstackLabel: string;
}
const CHECKS_PER_USER = 40;

/**
 * The job engine: persists every event (seq per job), runs at most one job per domain and
 * `maxOutgoingPerHost` outgoing migrations per host (the rest queue), cancels before the point of no
 * return, and on start closes jobs a previous process left unfinished by asking the hosts.
 */
export class JobEngine extends EventEmitter<{ event: [JobEvent]; summary: [JobSummary] }> {
  private readonly live = new Map<string, Live>();
  private readonly checksAsked = new Map<string, Promise<CheckResult>>();
  private readonly checkLimiter = new RateLimiterMemory({ points: CHECKS_PER_USER, duration: 10 });
  readonly maxOutgoingPerHost: number;
  readonly pollMs: number;
  readonly virshPollMs: number;
  readonly reconnectMs: number;
  readonly settlePollMs: number;
  readonly instanceId: string | null;
  readonly instanceName: string | null;

  readonly catalog: ImageCatalog;
  /** every job event: its seq, the browsers, the batched writes (lib/jobs/event-log.ts) */
  private readonly eventLog: JobEventLog;

  private readonly hostGate: EngineOptions["hostGate"] | null;
  private readonly remote: RemoteJobs | null;
  private readonly extraChecks: EngineOptions["extraChecks"] | null;

  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
    opts: EngineOptions = {},
  ) {
    super();
    this.catalog = new ImageCatalog(db, inventory);
    this.eventLog = new JobEventLog(db, this.live, {
      event: (e) => this.emit("event", e),
      summary: (sum) => this.emit("summary", sum),
    });
    this.maxOutgoingPerHost = opts.maxOutgoingPerHost ?? 2;
    this.pollMs = opts.pollMs ?? 100;
    this.virshPollMs = opts.virshPollMs ?? 500;
    this.reconnectMs = opts.reconnectMs ?? 120_000;
    this.settlePollMs = opts.settlePollMs ?? 1_000;
    this.instanceId = opts.instanceId ?? null;
    this.instanceName = opts.instanceName ?? null;
    this.hostGate = opts.hostGate ?? null;
    this.remote = opts.remote ?? null;
    this.extraChecks = opts.extraChecks ?? null;
  }

  /**
   * Creates the job's row with its domain's lock in one transaction: a second job for the same domain — from this
   * process or from any other instance on the same database — fails on the lock's key and is refused.
   */
  private async createRow(data: Parameters<Db["job"]["create"]>[0]["data"]) {
    try {
      return await this.db.job.create({
        data: { ...data, ownerId: this.instanceId, lock: { create: { domainName: data.domainName } } },
      });
    } catch (e) {
      if ((e as { code?: string }).code !== "P2002") throw e;
      const held = await this.db.domainLock.findUnique({ where: { domainName: data.domainName } });
      throw new AppError("conflict", `Job ${held?.jobId ?? "(another)"} is already working on ${data.domainName}.`);
    }
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
    await this.limitChecks(who);
    const key = `${domainName}\0${sourceId}\0${targetId}\0${JSON.stringify(options ?? {})}`;
    const asked = this.checksAsked.get(key);
    if (asked) return asked;
    const answer = this.checkNow(domainName, sourceId, targetId, options).finally(() => this.checksAsked.delete(key));
    this.checksAsked.set(key, answer);
    return answer;
  }

  private async checkNow(
    domainName: string,
    sourceId: string,
    targetId: string,
    options?: MigrationOptions,
  ): Promise<CheckResult> {
    const { source, target, domain } = this.resolve(domainName, sourceId, targetId);
    const checks = await checkMigration({
      domain,
      source,
      target,
      // this process's jobs, then the lock any instance's job holds on the domain
      activeJobId:
        this.activeJobOn(domainName) ??
        (await this.db.domainLock.findUnique({ where: { domainName } }).catch(() => null))?.jobId ??
        null,
      sourceRunner: this.inventory.connection(source),
      targetRunner: this.inventory.connection(target),
    });
    const forecast = await forecastMigration(this.db, this.forecastRequest(source, target, domain, options));
    // short of converging within the maximum downtime (with the options chosen), the operator is asked
    const rule = forecastRule(forecast);
    if (rule.status !== "ok") checks.push({ id: "forecast", ...rule });
    if (this.extraChecks) checks.push(...(await this.extraChecks(domain.name, target)));
    const transport = driverOf(source.toolstack).transport(source.name, targetAddressOf(target));
    return { checks, forecast, transport, capabilities: source.capabilities, toolstackLabel: source.toolstackLabel };
  }

  async submit(req: MigrateRequest): Promise<JobSummary> {
    const { source, target, domain } = this.resolve(req.domain, req.sourceId, req.targetId);
    const busy = this.activeJobOn(domain.name);
    if (busy) throw new AppError("conflict", `Job ${busy} is already working on ${domain.name}.`);
    if (
      req.options &&
      Object.values(req.options).some((v) => v !== undefined && v !== false) &&
      !driverOf(source.toolstack).capabilities.migrationOptions
    ) {
      throw new AppError(
        "invalid_input",
        `${source.name} uses ${driverOf(source.toolstack).label}: bandwidth limit, maximum downtime, auto-converge and post-copy are not options it has.`,
      );
    }
    const row = await this.createRow({
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
        ...(req.options ? { migration: req.options } : {}),
      }),
      forecastJson: JSON.stringify(
        await forecastMigration(this.db, this.forecastRequest(source, target, domain, req.options)),
      ),
    });
    const live: Live = { summary: summaryOf(row), seq: 0, cancel: new AbortController(), running: false };
    this.live.set(row.id, live);
    this.hostIds.set(row.id, slotHostId(row));
    await this.record(row.id, { type: "status", phase: "pre-migration", payload: { status: "queued" } });
    this.pump();
    return live.summary;
  }

  /** Save a running domain to `dir` on its host (one of the host's image directories). */
  async submitSave(req: { domain: string; hostId: string; dir: string; createdBy: string }): Promise<JobSummary> {
    const host = this.inventory.get(req.hostId);
    if (!host) throw new AppError("not_found", "The host is not registered.");
    const domain = host.domains.find((d) => d.name === req.domain && d.id !== 0);
    if (!domain)
      throw new AppError("domain_not_found", `${req.domain} is not running on ${host.name} (as of the last refresh).`);
    const dirs = imageDirsOf(host);
    if (!dirs.includes(req.dir))
      throw new AppError("invalid_input", `Save into one of ${host.name}'s image directories: ${dirs.join(", ")}.`);
    const path = `${req.dir}/${domain.name}-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}.save`;
    return this.create({
      kind: "save",
      domainName: domain.name,
      domainUuid: domain.uuid,
      memoryMiB: domain.memoryMiB,
      sourceHostId: host.id,
      sourceName: host.name,
      imagePath: path,
      createdBy: req.createdBy,
    });
  }

  /** Restore a catalogued image on a host. */
  async submitRestore(req: {
    imageId: string;
    targetId: string;
    createdBy: string;
    /** the operator knows the domain's disks have changed since the image (its restore check then warns) */
    acknowledgeStale?: boolean;
  }): Promise<JobSummary> {
    const image = await this.catalog.get(req.imageId);
    const target = this.inventory.get(req.targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    if (!imageDirsOf(target).some((d) => isInside(d, image.path)) && image.hostId !== target.id) {
      throw new AppError("invalid_input", `${image.path} is outside ${target.name}'s image directories.`);
    }
    return this.create({
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
    });
  }

  /** Move a domain by save → (copy) → restore, for when live migration is not possible. */
  async submitMove(req: {
    domain: string;
    sourceId: string;
    targetId: string;
    createdBy: string;
  }): Promise<JobSummary> {
    const { source, target, domain } = this.resolve(req.domain, req.sourceId, req.targetId);
    const differs = otherMachine(domain.name, source, target);
    if (differs.status === "fail") throw new AppError("invalid_input", differs.reason);
    return this.create({
      kind: "move",
      domainName: domain.name,
      domainUuid: domain.uuid,
      memoryMiB: domain.memoryMiB,
      sourceHostId: source.id,
      sourceName: source.name,
      targetHostId: target.id,
      targetName: target.name,
      createdBy: req.createdBy,
    });
  }

  private async create(data: {
    kind: string;
    domainName: string;
    domainUuid: string | null;
    memoryMiB: number;
    sourceHostId: string;
    sourceName: string;
    targetHostId?: string;
    targetName?: string;
    imagePath?: string;
    imageId?: string;
    optionsJson?: string;
    createdBy: string;
  }) {
    const busy = this.activeJobOn(data.domainName);
    if (busy) throw new AppError("conflict", `Job ${busy} is already working on ${data.domainName}.`);
    const row = await this.createRow(data);
    const live: Live = { summary: summaryOf(row), seq: 0, cancel: new AbortController(), running: false };
    this.live.set(row.id, live);
    this.hostIds.set(row.id, slotHostId(row));
    await this.record(row.id, { type: "status", phase: "pre-migration", payload: { status: "queued" } });
    this.pump();
    return live.summary;
  }

  async cancel(jobId: string): Promise<JobSummary> {
    const live = this.live.get(jobId);
    if (!live) {
      const row = await this.db.job.findUnique({ where: { id: jobId } });
      if (!row) throw new AppError("not_found", "No such job.");
      if (this.remote && !isFinal(row.status as JobStatus) && row.ownerId !== this.instanceId)
        return this.remote.cancel(jobId);
      throw new AppError("conflict", `The job has already ${row.status === "succeeded" ? "succeeded" : "finished"}.`);
    }
    if (live.running && live.summary.kind !== "migrate") {
      throw new AppError(
        "conflict",
        `A running ${live.summary.kind} cannot be interrupted safely; it will finish or fail on its own.`,
      );
    }
    if (phaseIndex(live.summary.phase) >= phaseIndex("commitment")) {
      throw new AppError(
        "conflict",
        "Past the point of no return: the target already holds the domain. The migration will finish.",
      );
    }
    if (!live.running) {
      await this.finish(jobId, {
        status: "cancelled",
        errorCode: "migrate_cancelled",
        errorMessage: "Cancelled before it started.",
        location: {
          host: live.summary.sourceName,
          note: `${live.summary.domainName} stays on ${live.summary.sourceName}.`,
        },
      });
    } else live.cancel.abort();
    return live.summary;
  }

  /** Helps a running libvirt migration converge: a higher maximum downtime, more bandwidth, or post-copy. */
  async tune(jobId: string, change: TuneJobInput, askedBy = "an operator"): Promise<JobSummary> {
    const live = this.live.get(jobId);
    if (!live && this.remote) {
      const row = await this.db.job.findUnique({ where: { id: jobId }, select: { status: true, ownerId: true } });
      if (row && !isFinal(row.status as JobStatus) && row.ownerId !== this.instanceId)
        return this.remote.tune(jobId, change, askedBy);
    }
    if (!live?.running || live.summary.status !== "running")
      throw new AppError("conflict", "Only a running migration can be tuned.");
    const row = await this.db.job.findUniqueOrThrow({ where: { id: jobId } });
    const source = this.inventory.get(row.sourceHostId);
    const driver = source ? driverOf(source.toolstack) : null;
    if (row.kind !== "migrate" || !source || !driver?.tune || !driver.capabilities.tuneWhileRunning) {
      throw new AppError(
        "invalid_input",
        `Only a live migration on a toolstack that allows it can be tuned while it runs; ${driver?.label ?? "this host's toolstack"} offers no such controls.`,
      );
    }
    if (phaseIndex(live.summary.phase) >= phaseIndex("commitment"))
      throw new AppError("conflict", "The migration is already finishing.");
    const options = JSON.parse(row.optionsJson ?? "{}").migration ?? {};
    if ("postcopy" in change && !options.postcopy)
      throw new AppError(
        "invalid_input",
        "This migration was started without post-copy; libvirt can only switch a migration started with it. Abort and start again with post-copy allowed.",
      );
    const argv = driver.tune(row.domainName, change);
    const r = await this.inventory.connection(source).exec(argv, { timeoutMs: 15_000, lane: "job" });
    if (r.code !== 0) throw driver.error(argv, r);
    await this.record(jobId, {
      type: "log",
      phase: live.summary.phase,
      payload: { line: `ferry: ${argv.join(" ")} (asked by ${askedBy})` },
    });
    // post-copy: the guest now runs on the target and pulls the rest; there is no way back
    if ("postcopy" in change) await this.record(jobId, { type: "phase", phase: "commitment", payload: {} });
    return live.summary;
  }

  /** The job's summary once it has ended (at once if it already has). */
  whenFinished(jobId: string): Promise<JobSummary> {
    return new Promise((resolve) => {
      let poll: NodeJS.Timeout | null = null;
      const done = (s: JobSummary) => {
        this.off("summary", on);
        if (poll) clearInterval(poll);
        resolve(s);
      };
      const on = (s: JobSummary) => {
        if (s.id === jobId && isFinal(s.status)) done(s);
      };
      this.on("summary", on);
      const look = () =>
        void this.db.job.findUnique({ where: { id: jobId } }).then((row) => {
          if (row && isFinal(row.status as JobStatus) && !this.live.has(jobId)) done(summaryOf(row));
        });
      look();
      // a job another instance runs ends there: its row says so
      if (this.hostGate) poll = setInterval(look, 1_000);
    });
  }

  activeJobOn(domain: string): string | null {
    for (const [id, l] of this.live) if (l.summary.domainName === domain && !isFinal(l.summary.status)) return id;
    return null;
  }

  /** Whether this process runs the job (several instances: the others answer no). */
  runs(jobId: string): boolean {
    return this.live.has(jobId);
  }

  /** Jobs not yet ended, whichever instance runs them (this process's own from memory, the others' rows). */
  async activeEverywhere(): Promise<JobSummary[]> {
    const mine = this.activeSummaries();
    const rows = await this.db.job.findMany({
      where: { status: { in: ["queued", "checking", "running"] }, id: { notIn: mine.map((s) => s.id) } },
      orderBy: { createdAt: "desc" },
      take: 200,
    });
    return [...mine, ...rows.map(summaryOf)];
  }

  activeSummaries(): JobSummary[] {
    return [...this.live.values()].map((l) => l.summary);
  }

  /**
   * Stores every event recorded so far — the batch still waiting for its write and any write under way — so that a
   * stop loses none (server.ts calls it before the database goes). Jobs still running go on recording afterwards.
   */
  drain(): Promise<void> {
    return this.eventLog.drain();
  }

  /** Stored events after `afterSeq`, then any a live job has sent but not stored yet. */
  events(jobId: string, afterSeq: number): Promise<JobEvent[]> {
    return this.eventLog.events(jobId, afterSeq);
  }

  /** After a restart: jobs that were checking or running are closed by asking the hosts where the domain is. */
  async recover(ids?: string[]): Promise<number> {
    // locks a job kept after it ended (a crash between its result and the lock's removal) free their domain
    if (!ids)
      await this.db.domainLock.deleteMany({ where: { job: { status: { notIn: ["queued", "checking", "running"] } } } });
    const rows = await this.db.job.findMany({
      where: { status: { in: ["queued", "checking", "running"] }, ...(ids ? { id: { in: ids } } : {}) },
    });
    for (const row of rows) {
      if (this.live.has(row.id)) continue;
      const last = await this.db.jobEvent.aggregate({ where: { jobId: row.id }, _max: { seq: true } });
      const live: Live = {
        summary: summaryOf(row),
        seq: last._max.seq ?? 0,
        cancel: new AbortController(),
        running: row.status !== "queued",
      };
      this.live.set(row.id, live);
      this.hostIds.set(row.id, slotHostId(row));
      if (ids)
        await this.record(row.id, {
          type: "log",
          phase: live.summary.phase,
          payload: {
            line: `ferry: adopted by instance ${this.instanceName ?? this.instanceId}: the instance that ran this job stopped renewing its lease.`,
          },
        });
      if (row.status === "queued") continue;
      if (row.kind !== "migrate") {
        // in the background: the job stays running while a save or restore still goes on a host
        void recoverFileJob(this.fileJobDeps(), row).catch((e) =>
          log.error({ err: e, jobId: row.id }, "recovery crashed"),
        );
        continue;
      }
      const source = this.inventory.get(row.sourceHostId);
      const target = row.targetHostId ? this.inventory.get(row.targetHostId) : undefined;
      let location = { host: null as string | null, note: "The hosts are no longer registered; check them by hand." };
      if (source && target) {
        location = await driverOf(source.toolstack).locate(
          {
            source: jobLane(this.inventory.connection(source)),
            target: jobLane(this.inventory.connection(target)),
            sourceName: source.name,
            targetName: target.name,
            domain: row.domainName,
            silentHostMs: this.reconnectMs,
          },
          30_000,
        );
      }
      const arrived = location.host === row.targetName;
      await this.finish(row.id, {
        status: arrived ? "succeeded" : "interrupted",
        errorCode: arrived ? null : "ssh_lost_during_job",
        errorMessage: arrived
          ? null
          : ids
            ? "The Ferry instance running this job stopped; another instance closed it by asking the hosts."
            : "Ferry restarted while this job ran; it was closed by asking the hosts.",
        location: {
          host: location.host,
          note: `${location.note}${
            arrived
              ? ids
                ? " It finished while the instance running it was down; downtime was not measured."
                : " It finished while Ferry was restarting; downtime was not measured."
              : ""
          }`,
        },
      });
    }
    this.pump();
    return rows.length;
  }

  /** The forecast's request: the toolstack's policy, the chosen options, and QEMU's own dirty-rate measurement. */
  forecastRequest(source: HostView, target: HostView, domain: DomainInfo, options?: MigrationOptions): ForecastRequest {
    const driver = driverOf(source.toolstack);
    return {
      domain: domain.name,
      memoryMiB: domain.memoryMiB,
      source: source.name,
      target: target.name,
      capabilities: driver.capabilities,
      options,
      measureDirtyBps: driver.measureDirtyBps
        ? () => driver.measureDirtyBps!(this.inventory.connection(source), source.name, domain.name)
        : undefined,
      probeLink: () => probeLink(this.inventory.connection(source), source.name, targetAddressOf(target)),
    };
  }

  private resolve(domainName: string, sourceId: string, targetId: string) {
    const source = this.inventory.get(sourceId);
    if (!source) throw new AppError("not_found", "The source host is not registered.");
    const target = this.inventory.get(targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    const domain = source.domains.find((d) => d.name === domainName && d.id !== 0);
    if (!domain)
      throw new AppError(
        "domain_not_found",
        `${domainName} is not running on ${source.name} (as of the last refresh).`,
      );
    return { source, target, domain };
  }

  private pumpRetry: NodeJS.Timeout | null = null;

  private pump() {
    const busy = new Map<string, number>();
    for (const l of this.live.values())
      if (l.running) busy.set(slotHostName(l.summary), (busy.get(slotHostName(l.summary)) ?? 0) + 1);
    let waiting = false;
    for (const [id, l] of this.live) {
      if (l.running || l.summary.status !== "queued") continue;
      const host = slotHostName(l.summary);
      if ((busy.get(host) ?? 0) >= this.maxOutgoingPerHost) continue;
      busy.set(host, (busy.get(host) ?? 0) + 1);
      l.running = true;
      const start = () => void this.run(id).catch((e) => log.error({ err: e, jobId: id }, "job crashed"));
      if (!this.hostGate) {
        start();
        continue;
      }
      // several instances: the host's slots are counted across all of them
      waiting = true;
      this.hostGate(id, this.hostIdOf(l), this.maxOutgoingPerHost).then(
        (ok) => {
          if (ok) return start();
          l.running = false;
          this.pumpLater();
        },
        (e) => {
          log.error({ err: e, jobId: id }, "host slot not claimed; trying again");
          l.running = false;
          this.pumpLater();
        },
      );
    }
    if (waiting) this.pumpLater();
  }

  /** Another look at the queue in a second: a slot may free on another instance. */
  private pumpLater() {
    if (this.pumpRetry) return;
    this.pumpRetry = setTimeout(() => {
      this.pumpRetry = null;
      if ([...this.live.values()].some((l) => !l.running && l.summary.status === "queued")) this.pump();
    }, 1_000);
    this.pumpRetry.unref();
  }

  private readonly hostIds = new Map<string, string>();
  private hostIdOf(l: Live): string {
    return this.hostIds.get(l.summary.id) ?? slotHostName(l.summary);
  }

  private async run(jobId: string) {
    const row = await this.db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (row.kind !== "migrate") return this.runFileJob(row);
    const live = this.live.get(jobId)!;
    const source = this.inventory.get(row.sourceHostId);
    const target = row.targetHostId ? this.inventory.get(row.targetHostId) : undefined;
    if (!source || !target)
      return this.finish(jobId, {
        status: "failed",
        errorCode: "not_found",
        errorMessage: "A host was removed before the job started.",
        location: { host: null, note: "Check the hosts." },
      });
    await this.record(jobId, { type: "status", phase: "pre-migration", payload: { status: "checking" } });
    try {
      const chosen = JSON.parse(row.optionsJson ?? "{}").migration as MigrationOptions | undefined;
      const { checks } = await this.checkNow(row.domainName, source.id, target.id, chosen).catch(async (e) => {
        // re-check against a fresh picture if the domain moved since the last refresh
        if (toAppError(e).code !== "domain_not_found") throw e;
        await this.inventory.refreshHost(source.id);
        return this.checkNow(row.domainName, source.id, target.id, chosen);
      });
      const own = checks.map((c) =>
        c.id === "no-other-job" ? { ...c, status: "ok" as const, reason: "This job." } : c,
      );
      await this.record(jobId, { type: "checks", phase: "pre-migration", payload: { checks: own } });
      const failed = own.filter((c) => c.status === "fail");
      const warned = own.filter((c) => c.status === "warn");
      const confirmed = JSON.parse(row.optionsJson ?? "{}").confirmWarnings === true;
      if (failed.length || (warned.length && !confirmed)) {
        const why = failed.length
          ? failed.map((c) => c.reason).join(" ")
          : `Unconfirmed warnings: ${warned.map((c) => c.reason).join(" ")}`;
        return await this.finish(jobId, {
          status: "failed",
          errorCode: "check_failed",
          errorMessage: why,
          location: { host: source.name, note: `${row.domainName} stays on ${source.name}, untouched.` },
        });
      }
      if (live.cancel.signal.aborted)
        return await this.finish(jobId, {
          status: "cancelled",
          errorCode: "migrate_cancelled",
          errorMessage: "Cancelled during the checks.",
          location: { host: source.name, note: `${row.domainName} stays on ${source.name}.` },
        });
      await this.db.job.update({ where: { id: jobId }, data: { startedAt: new Date() } });
      await this.record(jobId, { type: "status", phase: "pre-migration", payload: { status: "running" } });
      const driver = driverOf(source.toolstack);
      // a pre-copy that ends only when it converges (QEMU's) gets the stall policy chosen at launch
      const watch = driver.capabilities.precopyPolicy === "qemu" ? new StallWatch(stallPolicyOf(chosen)) : null;
      let stalled: string | null = null;
      const onStall = (why: string) => {
        const policy = stallPolicyOf(chosen);
        if (policy.action === "postcopy") {
          void this.record(jobId, {
            type: "log",
            phase: live.summary.phase,
            payload: { line: `ferry: ${why} Switching to post-copy, as chosen at launch.` },
          });
          this.tune(jobId, { postcopy: true }, "the stall policy chosen at launch").catch((e) => {
            // post-copy refused (already finishing, or the host said no): abort rather than run on unattended
            stalled = `${why} The switch to post-copy failed (${toAppError(e).message}), so Ferry aborted it.`;
            live.cancel.abort();
          });
        } else {
          stalled = `${why} Ferry aborted it, as chosen at launch; the domain keeps running on ${source.name}.`;
          void this.record(jobId, { type: "log", phase: live.summary.phase, payload: { line: `ferry: ${stalled}` } });
          live.cancel.abort();
        }
      };
      const outcome = await driver.migrate({
        source: jobLane(this.inventory.connection(source)),
        target: jobLane(this.inventory.connection(target)),
        sourceName: source.name,
        targetName: target.name,
        domain: row.domainName,
        targetAddress: targetAddressOf(target),
        // QEMU reports its own figures every half second; a downtime measured from outside needs fast polls
        pollMs: driver.capabilities.reportsDowntime ? this.virshPollMs : this.pollMs,
        cancel: live.cancel.signal,
        options: chosen,
        silentHostMs: this.reconnectMs,
        emit: (e) => {
          void this.record(jobId, e);
          const why = e.type === "jobinfo" ? watch?.feed(e.payload) : null;
          if (why && !live.cancel.signal.aborted) onStall(why);
        },
        phase: () => live.summary.phase,
      });
      // an abort by the stall policy is not an operator's cancel: the job failed, and says why
      await this.finish(
        jobId,
        stalled && outcome.status === "cancelled"
          ? { ...outcome, status: "failed", errorCode: "migrate_stalled", errorMessage: stalled }
          : outcome,
      );
      void this.inventory.refreshHost(source.id);
      void this.inventory.refreshHost(target.id);
    } catch (e) {
      const err = toAppError(e);
      await this.finish(jobId, {
        status: "failed",
        errorCode: err.code,
        errorMessage: err.message,
        location: { host: null, note: "Ferry could not finish its checks; see the hosts." },
      });
    }
  }

  /** save / restore / move (lib/jobs/run-file-job.ts) */
  private runFileJob(row: JobRow) {
    return runFileJob(this.fileJobDeps(), row);
  }

  private fileJobDeps(): FileJobDeps {
    return {
      db: this.db,
      inventory: this.inventory,
      catalog: this.catalog,
      record: (id, e) => this.record(id, e),
      finish: (id, o) => this.finish(id, o),
      migrationChecks: async (d, s, t) => (await this.checkNow(d, s, t)).checks,
      reconnectMs: this.reconnectMs,
      settlePollMs: this.settlePollMs,
    };
  }

  /** A user may ask CHECKS_PER_USER questions per 10 s; past that, a 429 with a sentence. */
  private async limitChecks(who?: string) {
    if (!who) return;
    await this.checkLimiter.consume(who).catch(() => {
      throw new AppError("rate_limited", "Too many checks in a few seconds: wait a moment and try again.");
    });
  }

  /** The context checks run in: no job, nothing emitted. */
  private checkContext(): RunContext {
    return {
      db: this.db,
      inventory: this.inventory,
      catalog: this.catalog,
      jobId: "",
      emit: async () => {},
      reconnectMs: this.reconnectMs,
      pollMs: this.settlePollMs,
    };
  }

  /**
   * Checks a move by save/restore without starting it: its checks, and how long the domain would be stopped
   * (save, copy where the hosts share no storage, restore) — the dialog asks the operator to accept that outage.
   */
  async checkMove(domainName: string, sourceId: string, targetId: string, who?: string): Promise<MoveCheckResult> {
    await this.limitChecks(who);
    const { source, target, domain } = this.resolve(domainName, sourceId, targetId);
    const ctx = this.checkContext();
    const { checks, movePath } = await moveChecks(
      ctx,
      async (d, s, t) => (await this.checkNow(d, s, t)).checks,
      source,
      target,
      domain.name,
    );
    const link = movePath.shared
      ? null
      : await probeLink(this.inventory.connection(source), source.name, targetAddressOf(target)).catch(() => null);
    const outage = await forecastMoveOutage(this.db, {
      memoryMiB: domain.memoryMiB,
      source: source.name,
      shared: movePath.shared,
      linkBps: link?.bps,
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
    await this.limitChecks(who);
    const host = this.inventory.get(hostId);
    if (!host) throw new AppError("not_found", "The host is not registered.");
    const ctx = this.checkContext();
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
    await this.limitChecks(who);
    const target = this.inventory.get(targetId);
    if (!target) throw new AppError("not_found", "The target host is not registered.");
    const image = await this.catalog.get(imageId);
    return restoreChecks(this.checkContext(), image, target, acknowledgeStale);
  }

  private async finish(
    jobId: string,
    o: {
      status: JobStatus;
      errorCode: string | null;
      errorMessage: string | null;
      location: { host: string | null; note: string };
    },
  ) {
    const live = this.live.get(jobId);
    await this.record(jobId, {
      type: "result",
      phase: o.status === "succeeded" ? "done" : (live?.summary.phase ?? "pre-migration"),
      payload: o,
    });
    this.live.delete(jobId);
    this.hostIds.delete(jobId);
    // released with the result (flush); again here for a result that could not be stored with it
    await this.db.domainLock
      .deleteMany({ where: { jobId } })
      .catch((e) => log.error({ err: e, jobId }, "domain lock not released"));
    this.pump();
  }

  private record(jobId: string, input: JobEventInput): Promise<void> {
    return this.eventLog.record(jobId, input);
  }
}
