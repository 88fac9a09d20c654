import fs from "node:fs";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import Database from "better-sqlite3";

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
    const names = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => fs.existsSync(path.join(dir, n, "migration.sql")))
          .sort()
      : [];
    const applied: string[] = [];
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      if (done.has(name)) {
        if (done.get(name) !== checksum)
          throw new Error(
            `Migration ${name} was changed after it was applied (checksum differs). Restore the file or create a new migration.`,
          );
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
