/** A counting semaphore with a FIFO queue; a waiter can give up through its AbortSignal. */
export class Semaphore {
  private active = 0;
  private readonly queue: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  constructor(readonly limit: number) {}

  get inUse() { return this.active; }
  get waiting() { return this.queue.length; }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) { this.active++; return this.releaser(); }
    await new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener("abort", () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) { this.queue.splice(i, 1); reject(signal.reason); }
      }, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next) next.resolve(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}
