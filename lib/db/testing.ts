// Tests' databases: a fresh SQLite file in the test's directory, or — when FERRY_TEST_PG_URL is set
// (`npm run test:pg`) — a fresh PostgreSQL database on that server, dropped when the test closes it.
import path from "node:path";
import { openDatabase, type Db } from "./client";
import { scratchPgDatabase } from "./schema-engine";

const opened = new Map<Db, { url: string; drop: () => Promise<void> }>();

/** A fresh database for one test (`name` tells two in one directory apart). */
export async function openTestDatabase(dir: string, name = "ferry.db"): Promise<Db> {
  const pgUrl = process.env.FERRY_TEST_PG_URL;
  if (!pgUrl) return (await openDatabase(path.join(dir, name))).db;
  const scratch = await scratchPgDatabase(pgUrl, "ferry_test");
  const { db } = await openDatabase(scratch.url);
  opened.set(db, scratch);
  return db;
}

/** The URL a child process opens to share a test's database (a SQLite file, or the scratch PostgreSQL one). */
export function testDatabaseUrl(db: Db, dir: string, name = "ferry.db"): string {
  return opened.get(db)?.url ?? path.join(dir, name);
}

/** Disconnects, and drops a PostgreSQL scratch database. */
export async function closeTestDatabase(db: Db): Promise<void> {
  await db.$disconnect();
  const drop = opened.get(db);
  opened.delete(db);
  await drop?.drop();
}

export const onPostgres = () => Boolean(process.env.FERRY_TEST_PG_URL);
