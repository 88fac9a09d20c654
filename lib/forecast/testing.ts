import type { Db } from "../db/client";

// A forecast test's history: one earlier migration that succeeded, as the engine stores it.

export interface PastMigration {
  from: string;
  to: string;
  domainName: string;
  memoryMiB: number;
  seconds: number;
  /** default: the memory */
  bytesSent?: number;
  downtimeMs?: number;
  /** the job's options (a bandwidth limit: `{ migration: { bandwidthMiBps } }`) */
  options?: object;
  /** when it started (default: a minute ago) */
  startedAt?: Date;
}

/** Stores the migration; returns its job's id. */
export async function pastMigration(db: Db, m: PastMigration): Promise<string> {
  const startedAt = m.startedAt ?? new Date(Date.now() - 60_000);
  const job = await db.job.create({
    data: {
      kind: "migrate",
      domainName: m.domainName,
      memoryMiB: m.memoryMiB,
      sourceHostId: m.from,
      targetHostId: m.to,
      sourceName: m.from,
      targetName: m.to,
      status: "succeeded",
      createdBy: "test",
      startedAt,
      finishedAt: new Date(startedAt.getTime() + m.seconds * 1000),
      bytesSent: BigInt(m.bytesSent ?? m.memoryMiB * 1024 * 1024),
      downtimeMs: m.downtimeMs ?? 50,
      optionsJson: JSON.stringify(m.options ?? {}),
    },
  });
  return job.id;
}
