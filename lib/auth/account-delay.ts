export interface DelayOptions {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

/**
 * Growing delays per account, whatever address the guesses come from. The first `free` failures cost nothing;
 * after them each attempt must wait `baseMs · 2^(failures − free)`, never more than `maxMs`, after the one before.
 * So one account takes at most one guess per `maxMs` from the whole internet, while its owner, from another
 * address, waits at most `maxMs` — never a lockout. An attempt is counted as a failure when it is let through
 * (before the password is hashed), and forgiven by `succeeded`: a concurrent burst gets no more through than a
 * sequential one.
 */
export class AccountDelays {
  private readonly state = new Map<string, { failures: number; nextAt: number; lastAt: number }>();

  constructor(
    private readonly opts: DelayOptions = { free: 3, baseMs: 1_000, maxMs: 30_000, forgetMs: 15 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Lets the attempt through (and counts it), or says how many ms the account must wait. */
  claim(account: string): { ok: true } | { ok: false; waitMs: number } {
    const t = this.now();
    let s = this.state.get(account);
    if (s && t - s.lastAt > this.opts.forgetMs) {
      this.state.delete(account);
      s = undefined;
    }
    if (s && t < s.nextAt) return { ok: false, waitMs: s.nextAt - t };
    const failures = (s?.failures ?? 0) + 1;
    const over = failures - this.opts.free;
    const delay = over < 0 ? 0 : Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** over);
    this.state.set(account, { failures, nextAt: t + delay, lastAt: t });
    if (this.state.size > 100_000) this.sweep(t);
    return { ok: true };
  }

  /** How long the account must wait before its next attempt (0: it may try now); counts nothing. */
  waitMs(account: string): number {
    const s = this.state.get(account);
    const t = this.now();
    return s && t - s.lastAt <= this.opts.forgetMs ? Math.max(0, s.nextAt - t) : 0;
  }

  succeeded(account: string): void {
    this.state.delete(account);
  }

  private sweep(t: number) {
    for (const [k, s] of this.state) if (t - s.lastAt > this.opts.forgetMs) this.state.delete(k);
  }
}
