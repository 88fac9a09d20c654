import fs from "node:fs";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";

// Ferry's migration story (one for offline and online): migration SQL files live in
// prisma/migrations/<stamp>_<name>/migration.sql, Prisma's own layout. At start Ferry applies the
// pending ones itself, each in a transaction, and records them in Prisma's `_prisma_migrations` table
// with the same checksum (sha256 of the file) — so `prisma migrate deploy`/`status`, where the CLI can
// download its engine, see the same history. New migrations: `npm run db:migration -- <name>`.

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

export function migrationsDir(): string {
  return path.resolve(process.env.FERRY_MIGRATIONS_DIR ?? path.join(process.cwd(), "prisma", "migrations"));
}

/** PostgreSQL's migrations: the same names as SQLite's, in prisma/postgresql/migrations. */
export function pgMigrationsDir(): string {
  return path.resolve(
    process.env.FERRY_PG_MIGRATIONS_DIR ?? path.join(process.cwd(), "prisma", "postgresql", "migrations"),
  );
}

function migrationFiles(dir: string): { name: string; sql: string; checksum: string }[] {
  const names = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => fs.existsSync(path.join(dir, n, "migration.sql")))
        .sort()
    : [];
  return names.map((name) => {
    const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
    return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

const changed = (name: string) =>
  new Error(
    `Migration ${name} was changed after it was applied (checksum differs). Restore the file or create a new migration.`,
  );

const PG_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;
/** the advisory lock that lets one instance migrate while the others starting beside it wait */
const PG_MIGRATION_LOCK = 7_246_011;

/**
 * Applies every pending migration to the PostgreSQL database at `url`, each in a transaction, under an advisory
 * lock (several instances may start at once); returns the names applied.
 */
export async function applyPgMigrations(url: string, dir = pgMigrationsDir()): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((e: Error) => {
    const u = new URL(url);
    throw new Error(
      `Cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432} (${e.message}): is it running, and does DATABASE_URL name it?`,
    );
  });
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_MIGRATION_LOCK]);
    await client.query(PG_MIGRATIONS_TABLE);
    const done = new Map(
      (
        await client.query<{ migration_name: string; checksum: string }>(
          `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
      ).rows.map((r) => [r.migration_name, r.checksum]),
    );
    const applied: string[] = [];
    for (const m of migrationFiles(dir)) {
      if (done.has(m.name)) {
        if (done.get(m.name) !== m.checksum) throw changed(m.name);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

/** Applies every pending migration to the SQLite file `dbFile`; returns the names applied. */
export function applyMigrations(dbFile: string, dir = migrationsDir()): string[] {
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const db = new Database(dbFile);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(MIGRATIONS_TABLE);
    const done = new Map(
      (
        db
          .prepare(
            `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .all() as { migration_name: string; checksum: string }[]
      ).map((r) => [r.migration_name, r.checksum]),
    );
    const applied: string[] = [];
    for (const { name, sql, checksum } of migrationFiles(dir)) {
      if (done.has(name)) {
        if (done.get(name) !== checksum) throw changed(name);
        continue;
      }
      db.transaction(() => {
        db.exec(sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), checksum, Date.now(), name, Date.now());
      })();
      applied.push(name);
    }
    return applied;
  } finally {
    db.close();
  }
}
