import type pg from "pg";
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

/**
 * The same delays, shared by every Ferry instance on one PostgreSQL database: one row per account, claimed in one
 * atomic statement (an attempt is let through only if the row's next time has come, and counted as it passes), so
 * concurrent guesses on several instances get no more through than on one. Its table is made by PostgreSQL's
 * migration 20261201015057_scale_out.
 */
export class SharedAccountDelays {
  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: DelayOptions = { free: 3, baseMs: 1_000, maxMs: 30_000, forgetMs: 15 * 60_000 },
  ) {}

  async claim(account: string): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    const { free, baseMs, maxMs, forgetMs } = this.opts;
    // failures after this attempt: 1 when the row is new or forgotten, else one more; the delay grows from there
    const r = await this.pool.query(
      `WITH p AS (SELECT $2::float8 AS free, $3::float8 AS base, $4::float8 AS max, make_interval(secs => $5::float8 / 1000) AS forget)
       INSERT INTO ferry_login_delays AS d (account, failures, next_at, last_at)
       SELECT $1, 1, now() + make_interval(secs => (CASE WHEN 1 - p.free < 0 THEN 0 ELSE LEAST(p.max, p.base * 2) END) / 1000), now() FROM p
       ON CONFLICT (account) DO UPDATE SET
         failures = CASE WHEN now() - d.last_at > (SELECT forget FROM p) THEN 1 ELSE d.failures + 1 END,
         next_at = now() + make_interval(secs => (SELECT CASE
             WHEN (CASE WHEN now() - d.last_at > p.forget THEN 1 ELSE d.failures + 1 END) - p.free < 0 THEN 0
             ELSE LEAST(p.max, p.base * power(2, (CASE WHEN now() - d.last_at > p.forget THEN 1 ELSE d.failures + 1 END) - p.free))
           END FROM p) / 1000),
         last_at = now()
       WHERE d.next_at <= now() OR now() - d.last_at > (SELECT forget FROM p)
       RETURNING failures`,
      [account, free, baseMs, maxMs, forgetMs],
    );
    if (r.rowCount) return { ok: true };
    return { ok: false, waitMs: Math.max(1, await this.waitMs(account)) };
  }

  async waitMs(account: string): Promise<number> {
    const r = await this.pool.query<{ ms: number }>(
      `SELECT GREATEST(0, EXTRACT(EPOCH FROM (next_at - now())) * 1000)::float8 AS ms FROM ferry_login_delays
       WHERE account = $1 AND now() - last_at <= make_interval(secs => $2::float8 / 1000)`,
      [account, this.opts.forgetMs],
    );
    return r.rows[0] ? Math.ceil(r.rows[0].ms) : 0;
  }

  async succeeded(account: string): Promise<void> {
    await this.pool.query(`DELETE FROM ferry_login_delays WHERE account = $1`, [account]);
  }
}
