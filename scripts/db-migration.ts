// `npm run db:migration -- <name>`: writes the migration that takes a database from the previous migrations to
// prisma/schema.prisma, for both databases Ferry runs on, with the same name:
//   prisma/migrations/<stamp>_<name>/migration.sql             (SQLite, the embedded default)
//   prisma/postgresql/migrations/<stamp>_<name>/migration.sql  (PostgreSQL; needs one: FERRY_PG_URL, or the
//                                                               private cluster of scripts/pg-cluster.sh)
// Offline: Prisma's schema engine runs as WASM (@prisma/schema-engine-wasm) against a scratch database with every
// existing migration applied; no engine download. `lib/db/schema-sync.test.ts` fails when the two drift apart.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PG_SCHEMA, PG_SCHEMA_AT_LAST_MIGRATION, writePgSchema } from "./db-schemas";
import { migrationsDir, pgMigrationsDir } from "../lib/db/migrate";
import { pendingSqliteStatements, pgSchemaDiff } from "../lib/db/schema-engine";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)");
  process.exit(2);
}
writePgSchema();
const pgUrl =
  process.env.FERRY_PG_URL ?? execFileSync("bash", ["scripts/pg-cluster.sh", "start"], { encoding: "utf8" }).trim();
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const write = (dir: string, sql: string) => {
  const out = path.join(dir, `${stamp}_${name}`);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "migration.sql"), sql);
  console.log(`wrote ${path.relative(process.cwd(), out)}/migration.sql`);
};
const sqlite = await pendingSqliteStatements();
const pgFrom = fs.readFileSync(PG_SCHEMA_AT_LAST_MIGRATION, "utf8");
const pgTo = fs.readFileSync(PG_SCHEMA, "utf8");
const pgSql = pgFrom === pgTo ? "" : await pgSchemaDiff(pgFrom, pgTo, pgUrl);
if (!sqlite.length && !pgSql.trim()) {
  console.log("The schema matches the migrations: nothing to write.");
  process.exit(0);
}
// both or neither: the two histories keep the same names
write(migrationsDir(), `${sqlite.map((s) => (s.endsWith(";") ? s : `${s};`)).join("\n\n")}\n`);
write(pgMigrationsDir(), pgSql);
fs.writeFileSync(PG_SCHEMA_AT_LAST_MIGRATION, pgTo);
