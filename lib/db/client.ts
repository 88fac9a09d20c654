import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { applyMigrations, applyPgMigrations } from "./migrate";

/**
 * Ferry's database client. Both clients are generated from one schema (prisma/schema.prisma; the PostgreSQL
 * copy differs only in its provider), so they have the same models and methods; the code is typed against the
 * SQLite one.
 */
export type Db = PrismaClient;
export type DatabaseKind = "sqlite" | "postgresql";

/** Where Ferry keeps its state (database, demo keys): FERRY_DATA_DIR, default ./state. */
export function dataDir(): string {
  return path.resolve(process.env.FERRY_DATA_DIR ?? "state");
}

const isPg = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** The database Ferry opens: DATABASE_URL (file:… or postgresql://…), else <data dir>/ferry.db. */
export function databaseTarget(url = process.env.DATABASE_URL): { kind: DatabaseKind; target: string } {
  if (url && isPg(url)) return { kind: "postgresql", target: url };
  if (url && !url.startsWith("file:"))
    throw new Error(
      `DATABASE_URL starts with ${url.split(":")[0]}: Ferry runs on SQLite (file:/path/ferry.db) or PostgreSQL (postgresql://user@host:port/db).`,
    );
  return { kind: "sqlite", target: url ? path.resolve(url.slice("file:".length)) : path.join(dataDir(), "ferry.db") };
}

/** For logs: the database without a password. */
export function describeDatabase(url = process.env.DATABASE_URL): string {
  const { kind, target } = databaseTarget(url);
  if (kind === "sqlite") return target;
  const u = new URL(target);
  u.password = "";
  return u.toString();
}

export interface OpenedDatabase {
  db: Db;
  applied: string[];
  kind: DatabaseKind;
  /** the PostgreSQL URL, when that is the database (the socket.io adapter and the leases use it) */
  pgUrl: string | null;
}

/**
 * Opens Ferry's database, creating it and applying pending migrations first (offline). `target` is a SQLite file,
 * a file: URL or a postgresql:// URL; default DATABASE_URL, else <data dir>/ferry.db.
 */
export async function openDatabase(target?: string): Promise<OpenedDatabase> {
  const chosen = target
    ? isPg(target) || target.startsWith("file:")
      ? databaseTarget(target)
      : { kind: "sqlite" as const, target: path.resolve(target) }
    : databaseTarget();
  if (chosen.kind === "postgresql") {
    // loaded only here: SQLite users (and every test and trial process) start without PostgreSQL's client
    const [{ PrismaPg }, { PrismaClient: PgPrismaClient }] = await Promise.all([
      import("@prisma/adapter-pg"),
      import("./generated-pg/client"),
    ]);
    const applied = await applyPgMigrations(chosen.target);
    const db = new PgPrismaClient({
      adapter: new PrismaPg({ connectionString: chosen.target, max: Number(process.env.FERRY_PG_POOL ?? 10) }),
    }) as unknown as Db;
    return { db, applied, kind: "postgresql", pgUrl: chosen.target };
  }
  const file = chosen.target;
  const applied = applyMigrations(file);
  // the database holds password hashes and sessions: only Ferry's user may read it, or list its directory
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  // its directory too, when it is Ferry's own data directory (never a shared one such as /tmp)
  if (path.dirname(path.resolve(file)) === dataDir()) fs.chmodSync(dataDir(), 0o700);
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  // WAL (set by the migrator, persistent) + synchronous=NORMAL: no fsync per job event, still no
  // corruption on a crash (the last events may be lost on power failure, not on a process crash)
  void db.$executeRawUnsafe("PRAGMA synchronous=NORMAL").catch(() => {});
  return { db, applied, kind: "sqlite", pgUrl: null };
}
