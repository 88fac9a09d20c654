import type { Db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { log } from "../log";
import { eventsAfter, summaryOf } from "./store";
import {
  applyJobEvent,
  initialJobView,
  phaseIndex,
  type JobEvent,
  type JobEventInput,
  type JobPhase,
  type JobSummary,
} from "./types";

// The job engine's event log (one room of lib/jobs/engine.ts): every job event gets its per-job seq, goes to the
// browsers at once, and is stored in batches; drain() stores what is waiting, so a stop loses nothing.

/** What the log needs of a job that is running in this process: its summary and the last seq it handed out. */
export interface LiveJob {
  summary: JobSummary;
  seq: number;
}

/** Where recorded events and changed summaries go (the engine's own emitter). */
export interface JobEventSink {
  event(e: JobEvent): void;
  summary(s: JobSummary): void;
}

const FLUSH_MS = 20;

export class JobEventLog {
  constructor(
    private readonly db: Db,
    /** the engine's live jobs, by id: the log hands out their seqs and folds each event into their summary */
    private readonly live: ReadonlyMap<string, LiveJob>,
    private readonly sink: JobEventSink,
  ) {}

  /**
   * Stores every event recorded so far — the batch still waiting for its FLUSH_MS and any flush under way.
   */
  async drain(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }
    await this.flushing;
  }

  /** Stored events after `afterSeq`, then any a live job has sent but not stored yet. */
  async events(jobId: string, afterSeq: number): Promise<JobEvent[]> {
    const stored = await eventsAfter(this.db, jobId, afterSeq);
    const last = stored.at(-1)?.seq ?? afterSeq;
    return [...stored, ...(this.pending.get(jobId) ?? []).filter((e) => e.seq > last)];
  }

  /** Events waiting for the next batched write, in the order they were recorded. */
  private queue: { jobId: string; seq: number; at: Date; input: JobEventInput; phase: JobPhase; done: () => void }[] =
    [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** emitted, not yet stored (events() serves them) */
  private readonly pending = new Map<string, JobEvent[]>();

  /**
   * Records one event. A live job's event gets its seq, is folded into the job's summary and goes to the
   * browsers at once; it is stored with everything else recorded in the same FLUSH_MS, in one database transaction
   * (SQLite or PostgreSQL) that also updates the job rows — so no disk write sits between a host and the screen.
   * The promise settles once the event is stored.
   */
  record(jobId: string, input: JobEventInput): Promise<void> {
    const live = this.live.get(jobId);
    if (!live)
      return this.recordFinished(jobId, input).catch((e) => log.error({ err: e, jobId }, "job event not stored"));
    const phase: JobPhase = phaseIndex(input.phase) < phaseIndex(live.summary.phase) ? live.summary.phase : input.phase;
    const at = new Date();
    const event = { ...input, phase, jobId, seq: ++live.seq, at: at.toISOString() } as JobEvent;
    live.summary = applyJobEvent(initialJobView(live.summary), event).summary;
    this.pending.set(jobId, [...(this.pending.get(jobId) ?? []), event]);
    this.sink.event(event);
    return new Promise<void>((done) => {
      this.queue.push({ jobId, seq: event.seq, at, input, phase, done });
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.flushing = this.flushing.then(() => this.flush());
      }, FLUSH_MS);
    });
  }

  private async flush() {
    const batch = this.queue.splice(0);
    if (!batch.length) return;
    const updates = new Map<string, Record<string, unknown>>();
    for (const b of batch)
      updates.set(b.jobId, Object.assign(updates.get(b.jobId) ?? {}, rowUpdate(b.input, b.phase, b.at)));
    const row = (b: (typeof batch)[number]) => ({
      jobId: b.jobId,
      seq: b.seq,
      at: b.at,
      phase: b.phase,
      type: b.input.type,
      payloadJson: JSON.stringify(b.input.payload),
    });
    const create = (b: (typeof batch)[number]) => this.db.jobEvent.create({ data: row(b), select: { id: true } });
    // a job's result and the release of its domain's lock are one write: no moment where the row says the job
    // has ended and a new job for the domain is still refused. updateMany: the same write as update, without
    // reading the row back
    const rows = () => [
      ...[...updates].map(([id, data]) => this.db.job.updateMany({ where: { id }, data })),
      ...batch
        .filter((b) => b.input.type === "result")
        .map((b) => this.db.domainLock.deleteMany({ where: { jobId: b.jobId } })),
    ];
    try {
      await this.db.$transaction([...insertEvents(this.db, batch.map(row)), ...rows()]);
    } catch (e) {
      // one bad event (e.g. a seq another process wrote for the same job) must not cost the job rows their
      // status: store the rows on their own, then every event that can be
      log.error(
        { error: (e as Error).message.trim().split("\n").at(-1), events: batch.length },
        "job events not stored together; storing them one by one",
      );
      await this.db.$transaction(rows()).catch((err) => log.error({ err }, "job rows not updated"));
      let lost = 0;
      for (const b of batch)
        await create(b).catch(() => {
          lost++;
        });
      if (lost) log.error({ lost, events: batch.length }, "job events not stored");
    }
    for (const jobId of updates.keys()) {
      const stored = Math.max(...batch.filter((b) => b.jobId === jobId).map((b) => b.seq));
      const rest = (this.pending.get(jobId) ?? []).filter((e) => e.seq > stored);
      if (rest.length) this.pending.set(jobId, rest);
      else this.pending.delete(jobId);
      const live = this.live.get(jobId);
      // the summary already holds every event recorded, stored or not; one that carries a result still in the
      // queue would say "succeeded" of a row that says "running" (whenFinished's callers read the row next):
      // the flush that stores the result emits it
      const resultPending = rest.some((e) => e.type === "result");
      if (live && !resultPending && batch.some((b) => b.jobId === jobId && b.input.type !== "log"))
        this.sink.summary(live.summary);
    }
    for (const b of batch) b.done();
  }

  /** An event for a job no longer live (rare: after a restart): stored at once, then emitted. */
  private async recordFinished(jobId: string, input: JobEventInput) {
    const seq = ((await this.db.jobEvent.aggregate({ where: { jobId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    const at = new Date();
    const [, row] = await this.db.$transaction([
      this.db.jobEvent.create({
        data: { jobId, seq, at, phase: input.phase, type: input.type, payloadJson: JSON.stringify(input.payload) },
      }),
      this.db.job.update({ where: { id: jobId }, data: rowUpdate(input, input.phase, at) }),
    ]);
    this.sink.event({ ...input, jobId, seq, at: at.toISOString() } as JobEvent);
    if (input.type !== "log") this.sink.summary(summaryOf(row));
  }
}

/** What an event changes in its job's row. */
function rowUpdate(input: JobEventInput, phase: JobPhase, at: Date): Record<string, unknown> {
  const update: Record<string, unknown> = { phase };
  if (input.type === "status") update.status = input.payload.status;
  if (input.type === "checks" && input.payload.forecast) update.forecastJson = JSON.stringify(input.payload.forecast);
  if (input.type === "sample") update.bytesSent = BigInt(Math.max(0, Math.round(input.payload.bytesSent)));
  if (input.type === "downtime") {
    update.downtimeMs = Math.round(input.payload.ms);
    update.downtimeBound = input.payload.upperBound;
  }
  if (input.type === "result") {
    Object.assign(update, {
      status: input.payload.status,
      errorCode: input.payload.errorCode,
      errorMessage: input.payload.errorMessage,
      locationHost: input.payload.location.host,
      locationNote: input.payload.location.note,
      finishedAt: at,
    });
  }
  return update;
}

/** rows per INSERT: far below SQLite's limit of 32,766 bound values (six a row) */
const INSERT_ROWS = 500;

/**
 * The batch's events as multi-row INSERTs: Prisma's create costs a statement's compilation and a read-back per
 * event (≈ 0.4 ms of the event loop each; one INSERT of ten rows ≈ 0.5 ms). The quoted names are the schema's
 * own, the same in SQLite and PostgreSQL (prisma/migrations, prisma/postgresql/migrations).
 */
function insertEvents(db: Db, events: Prisma.JobEventUncheckedCreateInput[]) {
  const statements = [];
  for (let i = 0; i < events.length; i += INSERT_ROWS) {
    const values = events
      .slice(i, i + INSERT_ROWS)
      .map((e) => Prisma.sql`(${e.jobId}, ${e.seq}, ${e.at}, ${e.phase}, ${e.type}, ${e.payloadJson})`);
    statements.push(
      db.$executeRaw`INSERT INTO "JobEvent" ("jobId", "seq", "at", "phase", "type", "payloadJson") VALUES ${Prisma.join(values)}`,
    );
  }
  return statements;
}
