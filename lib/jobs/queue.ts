import { log } from "../log";
import type { JobSummary } from "./types";

// The job engine's queue (one room of lib/jobs/engine.ts): a queued job starts when the host where its work happens
// (lib/jobs/slots.ts) has one of its maxOutgoingPerHost slots free. Slots are counted by host id — in this process,
// or, with several instances, across all of them through the host gate (lib/cluster/cluster.ts).

/** What the queue needs of a job this process holds: its summary, and whether it has been started. */
export interface QueuedJob {
  summary: JobSummary;
  running: boolean;
}

export interface QueueOptions {
  maxPerHost: number;
  /** several instances: may this instance start `jobId` now, with at most `max` jobs on `hostId` across all of them? */
  hostGate: ((jobId: string, hostId: string, max: number) => Promise<boolean>) | null;
  /** starts a job whose slot is taken */
  start(jobId: string): void;
}

export class JobQueue {
  private readonly slotHost = new Map<string, string>();
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    /** the engine's jobs, by id */
    private readonly jobs: ReadonlyMap<string, QueuedJob>,
    private readonly opts: QueueOptions,
  ) {}

  /** A job the engine holds, with the id of the host its slot is counted on. */
  add(jobId: string, slotHostId: string) {
    this.slotHost.set(jobId, slotHostId);
  }

  /** A job that ended: its slot is free. */
  remove(jobId: string) {
    this.slotHost.delete(jobId);
  }

  /** Starts nothing more (a stop): queued jobs stay queued, for the next start. */
  close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  /** Starts every queued job whose host has a slot free. */
  pump() {
    if (this.closed) return;
    const busy = new Map<string, number>();
    for (const [id, j] of this.jobs) if (j.running) busy.set(this.hostOf(id), (busy.get(this.hostOf(id)) ?? 0) + 1);
    let waiting = false;
    for (const [id, j] of this.jobs) {
      if (j.running || j.summary.status !== "queued") continue;
      const host = this.hostOf(id);
      if ((busy.get(host) ?? 0) >= this.opts.maxPerHost) continue;
      busy.set(host, (busy.get(host) ?? 0) + 1);
      j.running = true;
      if (!this.opts.hostGate) {
        this.opts.start(id);
        continue;
      }
      // several instances: the host's slots are counted across all of them
      waiting = true;
      this.opts.hostGate(id, host, this.opts.maxPerHost).then(
        (ok) => {
          // a slot claimed as the process stops: the next start (or the instance that adopts the job) runs it
          if (ok && !this.closed) return this.opts.start(id);
          j.running = false;
          this.later();
        },
        (e) => {
          log.error({ err: e, jobId: id }, "host slot not claimed; trying again");
          j.running = false;
          this.later();
        },
      );
    }
    if (waiting) this.later();
  }

  private hostOf(jobId: string): string {
    return this.slotHost.get(jobId) ?? jobId;
  }

  /** Another look at the queue in a second: a slot may free on another instance. */
  private later() {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if ([...this.jobs.values()].some((j) => !j.running && j.summary.status === "queued")) this.pump();
    }, 1_000);
    this.retry.unref();
  }
}
