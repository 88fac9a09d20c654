/** Who asks for a channel: a running job's telemetry and commands, or anything else (checks, refreshes). */
export type Lane = "job" | "normal";

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * A counting semaphore with FIFO queues; a waiter can give up through its AbortSignal. `reserved` slots
 * are kept for the "job" lane: other work never takes them, and a freed slot goes to a waiting job first,
 * so a flood of checks on a host cannot thin a running migration's polls.
 */
export class Semaphore {
  private active = 0;
  private readonly queues: Record<Lane, Waiter[]> = { job: [], normal: [] };
  /** how many acquisitions of each lane had to wait for a slot */
  readonly queued: Record<Lane, number> = { job: 0, normal: 0 };
  constructor(
    readonly limit: number,
    readonly reserved = 0,
  ) {}

  get inUse() {
    return this.active;
  }
  get waiting() {
    return this.queues.job.length + this.queues.normal.length;
  }

  private room(lane: Lane) {
    return this.active < (lane === "job" ? this.limit : this.limit - this.reserved);
  }

  async acquire(signal?: AbortSignal, lane: Lane = "normal"): Promise<() => void> {
    if (this.room(lane) && (lane === "job" || this.queues.job.length === 0)) {
      this.active++;
      return this.releaser();
    }
    this.queued[lane]++;
    await new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      const queue = this.queues[lane];
      queue.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) {
            queue.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      // jobs first, then the rest while the reserve stays free
      for (const lane of ["job", "normal"] as const) {
        while (this.queues[lane].length && this.room(lane)) {
          this.active++;
          this.queues[lane].shift()!.resolve();
        }
      }
    };
  }
}
