import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { applyMigrations } from "./migrate";

export type Db = PrismaClient;

/** Where Ferry keeps its state (database, demo keys): FERRY_DATA_DIR, default ./state. */
export function dataDir(): string {
  return path.resolve(process.env.FERRY_DATA_DIR ?? "state");
}

export function databaseFile(): string {
  const url = process.env.DATABASE_URL;
  if (url && !url.startsWith("file:"))
    throw new Error(`DATABASE_URL ${url.split(":")[0]}: only SQLite (file:) is supported in this build.`);
  return url ? path.resolve(url.slice("file:".length)) : path.join(dataDir(), "ferry.db");
}

/** Opens the SQLite database, creating it and applying pending migrations first (offline). */
export function openDatabase(file = databaseFile()): { db: Db; applied: string[] } {
  const applied = applyMigrations(file);
  // the database holds password hashes and sessions: only Ferry's user may read it, or list its directory
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  // its directory too, when it is Ferry's own data directory (never a shared one such as /tmp)
  if (path.dirname(path.resolve(file)) === dataDir()) fs.chmodSync(dataDir(), 0o700);
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  // WAL (set by the migrator, persistent) + synchronous=NORMAL: no fsync per job event, still no
  // corruption on a crash (the last events may be lost on power failure, not on a process crash)
  void db.$executeRawUnsafe("PRAGMA synchronous=NORMAL").catch(() => {});
  return { db, applied };
}
