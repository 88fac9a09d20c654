import { EventEmitter } from "node:events";
import { busyError } from "./busy";
import { AppError } from "../errors";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import type { Check } from "../checks/migration";
import { log } from "../log";
import { ImageCatalog } from "../images/catalog";
import { summaryOf } from "./store";
import type { TuneJobInput } from "./schema";
import { isFinal, phaseIndex, type JobEvent, type JobEventInput, type JobStatus, type JobSummary } from "./types";
import { slotHostId } from "./slots";
import { JobEventLog, type LiveJob } from "./event-log";
import { JobQueue } from "./queue";
import { Preflight } from "./preflight";
import {
  Admission,
  type JobRowData,
  type MigrateRequest,
  type MoveRequest,
  type RestoreRequest,
  type SaveRequest,
} from "./admission";
import { tuneMigration } from "./tune";
import { recoverJob, runJob } from "./run-job";
import { kindOf } from "./kinds";
import { jobsAhead, whenFinished, whenOffTheLink, type JobWatchSource } from "./watch";
import type { JobContext, JobOutcome, JobRow } from "./kinds/context";

export type { CheckResult, MoveCheckResult } from "./preflight";
export type { MigrateRequest } from "./admission";

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

interface Live extends LiveJob {
  cancel: AbortController;
  running: boolean;
}

/**
 * The job engine, a facade over its rooms: admission (requests refused, or made rows with their domain's lock),
 * the queue (host slots), the run template and the kinds (lib/jobs/run-job.ts, lib/jobs/kinds/), the event log
 * (seq per job, batched writes, drain) and preflight (the dialogs' checks). It runs at most one job per domain,
 * cancels before the point of no return, and on start closes jobs a previous process left unfinished by asking
 * the hosts.
 */
export class JobEngine extends EventEmitter<{ event: [JobEvent]; summary: [JobSummary] }> {
  private readonly live = new Map<string, Live>();
  readonly maxOutgoingPerHost: number;
  private readonly pollMs: number;
  private readonly virshPollMs: number;
  private readonly reconnectMs: number;
  private readonly settlePollMs: number;
  private readonly instanceId: string | null;
  private readonly instanceName: string | null;
  private readonly remote: RemoteJobs | null;

  readonly catalog: ImageCatalog;
  /** the dialogs' checks of every kind, and the forecasts (lib/jobs/preflight.ts) */
  readonly preflight: Preflight;
  private readonly admission: Admission;
  private readonly queue: JobQueue;
  /** every job event: its seq, the browsers, the batched writes (lib/jobs/event-log.ts) */
  private readonly eventLog: JobEventLog;
  /** waits on other jobs: their end, or their leaving the link (lib/jobs/watch.ts) */
  private readonly watch: JobWatchSource;

  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
    opts: EngineOptions = {},
  ) {
    super();
    this.maxOutgoingPerHost = opts.maxOutgoingPerHost ?? 2;
    this.pollMs = opts.pollMs ?? 100;
    this.virshPollMs = opts.virshPollMs ?? 500;
    this.reconnectMs = opts.reconnectMs ?? 120_000;
    this.settlePollMs = opts.settlePollMs ?? 1_000;
    this.instanceId = opts.instanceId ?? null;
    this.instanceName = opts.instanceName ?? null;
    this.remote = opts.remote ?? null;
    // several instances: a job another instance runs ends there, and only its row says so
    this.watch = { db, summaries: this, live: (id) => this.live.get(id)?.summary ?? null, rowsTell: !!opts.hostGate };
    this.catalog = new ImageCatalog(db, inventory);
    this.eventLog = new JobEventLog(db, this.live, {
      event: (e) => this.emit("event", e),
      summary: (sum) => this.emit("summary", sum),
    });
    this.preflight = new Preflight({
      db,
      inventory,
      catalog: this.catalog,
      activeJobOn: (d) => this.holderOf(d),
      extraChecks: opts.extraChecks ?? null,
      reconnectMs: this.reconnectMs,
      settlePollMs: this.settlePollMs,
    });
    this.admission = new Admission({
      db,
      inventory,
      catalog: this.catalog,
      preflight: this.preflight,
      instanceId: this.instanceId,
    });
    this.queue = new JobQueue(this.live, {
      maxPerHost: this.maxOutgoingPerHost,
      hostGate: opts.hostGate ?? null,
      start: (id) => void this.run(id).catch((e) => log.error({ err: e, jobId: id }, "job crashed")),
    });
  }

  /** Checks a proposed migration now (the dialog, the drag preview): Preflight.check. */
  check(...args: Parameters<Preflight["check"]>) {
    return this.preflight.check(...args);
  }

  async submit(req: MigrateRequest): Promise<JobSummary> {
    this.refuseBusy(req.domain);
    return this.hold(await this.admission.migrate(req));
  }

  /** Save a running domain to `dir` on its host (one of the host's image directories). */
  async submitSave(req: SaveRequest): Promise<JobSummary> {
    return this.hold(this.admission.save(req));
  }

  /** Restore a catalogued image on a host. */
  async submitRestore(req: RestoreRequest): Promise<JobSummary> {
    return this.hold(await this.admission.restore(req));
  }

  /** Move a domain by save → (copy) → restore, for when live migration is not possible. */
  async submitMove(req: MoveRequest): Promise<JobSummary> {
    return this.hold(this.admission.move(req));
  }

  private refuseBusy(domain: string) {
    const busy = this.activeJobOn(domain);
    if (busy) throw busyError(domain, this.live.get(busy)?.summary ?? null);
  }

  /** The job's row (with its domain's lock), held in this process and queued. */
  private async hold(data: JobRowData): Promise<JobSummary> {
    this.refuseBusy(data.domainName);
    const row = await this.admission.create(data);
    const live: Live = { summary: summaryOf(row), seq: 0, cancel: new AbortController(), running: false };
    this.live.set(row.id, live);
    this.queue.add(row.id, slotHostId(row));
    await this.record(row.id, { type: "status", phase: "pre-migration", payload: { status: "queued" } });
    this.queue.pump();
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
    const argv = await tuneMigration(this.inventory, row, live.summary.phase, change);
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
    return whenFinished(this.watch, jobId);
  }

  activeJobOn(domain: string): string | null {
    for (const [id, l] of this.live) if (l.summary.domainName === domain && !isFinal(l.summary.status)) return id;
    return null;
  }

  /** The job this process runs on a domain, as a summary (whose it is, what it does), if any. */
  holderOf(domain: string): JobSummary | null {
    const id = this.activeJobOn(domain);
    return id ? (this.live.get(id)?.summary ?? null) : null;
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

  /** A stop: no queued job starts any more (they stay queued for the next start); running ones go on. */
  close() {
    this.queue.close();
  }

  /** After a restart: jobs that were checking or running are closed by asking the hosts where the domain is. */
  async recover(ids?: string[]): Promise<number> {
    // locks a job kept after it ended (a crash between its result and the lock's removal) free their domain
    if (!ids)
      await this.db.domainLock.deleteMany({ where: { job: { status: { notIn: ["queued", "checking", "running"] } } } });
    const rows = await this.db.job.findMany({
      where: { status: { in: ["queued", "checking", "running"] }, ...(ids ? { id: { in: ids } } : {}) },
    });
    const closing: Promise<void>[] = [];
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
      this.queue.add(row.id, slotHostId(row));
      if (ids)
        await this.record(row.id, {
          type: "log",
          phase: live.summary.phase,
          payload: {
            line: `ferry: adopted by instance ${this.instanceName ?? this.instanceId}: the instance that ran this job stopped renewing its lease.`,
          },
        });
      if (row.status === "queued") continue;
      const closed = recoverJob(this.contextOf(row, live), kindOf(row.kind), Boolean(ids), (o) =>
        this.finish(row.id, o),
      ).catch((e) => log.error({ err: e, jobId: row.id }, "recovery crashed"));
      // a migration is closed before recover() returns; a save, restore or move may wait on a command still
      // going on a host, in the background (the job stays running meanwhile)
      if (row.kind === "migrate") closing.push(closed);
    }
    await Promise.all(closing);
    this.queue.pump();
    return rows.length;
  }

  private async run(jobId: string) {
    const row = await this.db.job.findUniqueOrThrow({ where: { id: jobId } });
    await runJob(this.contextOf(row, this.live.get(jobId)!), kindOf(row.kind), (o) => this.finish(jobId, o));
  }

  /** What a job's kind is given: the services, this job's events, its cancel signal, the engine's timing. */
  private contextOf(row: JobRow, live: Live): JobContext {
    return {
      db: this.db,
      inventory: this.inventory,
      catalog: this.catalog,
      preflight: this.preflight,
      jobId: row.id,
      row,
      emit: (e) => this.record(row.id, e),
      cancel: live.cancel.signal,
      abort: () => live.cancel.abort(),
      phase: () => live.summary.phase,
      ahead: jobsAhead(row),
      turn: () =>
        whenOffTheLink(
          this.watch,
          jobsAhead(row).map((j) => j.id),
          live.cancel.signal,
        ),
      tune: (change, askedBy) => this.tune(row.id, change, askedBy),
      reconnectMs: this.reconnectMs,
      pollMs: this.settlePollMs,
      downtimePollMs: this.pollMs,
      reportPollMs: this.virshPollMs,
    };
  }

  private async finish(jobId: string, o: JobOutcome) {
    const live = this.live.get(jobId);
    await this.record(jobId, {
      type: "result",
      phase: o.status === "succeeded" ? "done" : (live?.summary.phase ?? "pre-migration"),
      payload: o,
    });
    this.live.delete(jobId);
    this.queue.remove(jobId);
    // released with the result (flush); again here for a result that could not be stored with it
    await this.db.domainLock
      .deleteMany({ where: { jobId } })
      .catch((e) => log.error({ err: e, jobId }, "domain lock not released"));
    this.queue.pump();
  }

  private record(jobId: string, input: JobEventInput): Promise<void> {
    return this.eventLog.record(jobId, input);
  }
}
