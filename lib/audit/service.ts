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

/** The audit log: append and read. There is deliberately no update or delete (and triggers forbid them). */
export class AuditLog {
  constructor(private readonly db: Db) {}

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
