import type { Db } from "../db/client";
import type { Role } from "../auth/roles";

export type AuditOutcome = "ok" | "refused" | "failed";

export interface AuditInput {
  actor: string;
  role?: Role | null;
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  limit?: number;
}

interface Pending {
  entry: AuditInput;
  count: number;
  users: Set<string>;
  firstAt: Date;
  lastAt: Date;
  timer: NodeJS.Timeout;
}

/** The audit log: append and read. There is deliberately no update or delete (and triggers forbid them). */
export class AuditLog {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly db: Db,
    private readonly aggregateMs = 60_000,
  ) {}

  /**
   * Failed logins from nobody in particular, aggregated: the first from an address is written at once, the ones
   * after it within a minute become one row when the minute ends ("41 more failed logins", the user names tried,
   * first and last time). A flood writes a row a minute per address instead of a row per guess; past 1,000
   * addresses at once, the rest share one row.
   */
  async recordRepeated(e: AuditInput): Promise<void> {
    const addr = this.pending.size >= 1000 ? "many addresses" : (e.ip ?? "unknown");
    const key = `${e.action}|${e.outcome}|${addr}`;
    const p = this.pending.get(key);
    if (p) {
      p.count++;
      p.lastAt = new Date();
      if (p.users.size < 20) p.users.add(e.actor);
      return;
    }
    const timer = setTimeout(() => void this.flush(key), this.aggregateMs);
    timer.unref();
    this.pending.set(key, {
      entry: { ...e, ip: addr },
      count: 0,
      users: new Set(),
      firstAt: new Date(),
      lastAt: new Date(),
      timer,
    });
    await this.record(e);
  }

  /** Writes what is being aggregated (at shutdown, and when each minute ends). */
  async flush(only?: string): Promise<void> {
    for (const [key, p] of [...this.pending]) {
      if (only !== undefined && key !== only) continue;
      this.pending.delete(key);
      clearTimeout(p.timer);
      if (p.count === 0) continue;
      await this.record({
        ...p.entry,
        actor: p.users.size === 1 ? [...p.users][0] : "anonymous",
        target: null,
        detail: {
          ...p.entry.detail,
          repeated: p.count,
          message: `${p.count} more like this from ${p.entry.ip} between ${p.firstAt.toISOString()} and ${p.lastAt.toISOString()}`,
          users: [...p.users],
        },
      });
    }
  }

  async record(e: AuditInput): Promise<void> {
    await this.db.auditEntry.create({
      data: {
        actor: e.actor,
        role: e.role ?? null,
        action: e.action,
        target: e.target ?? null,
        outcome: e.outcome,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        ip: e.ip ?? null,
      },
    });
  }

  async list(f: AuditFilter = {}) {
    const rows = await this.db.auditEntry.findMany({
      where: {
        ...(f.actor ? { actor: f.actor } : {}),
        ...(f.action ? { action: { startsWith: f.action } } : {}),
        ...(f.outcome ? { outcome: f.outcome } : {}),
        ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
      },
      orderBy: { id: "desc" },
      take: Math.min(f.limit ?? 200, 1000),
    });
    return rows.map((r) => ({
      ...r,
      at: r.at.toISOString(),
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
