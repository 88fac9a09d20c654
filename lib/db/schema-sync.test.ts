// The two databases' histories in step with the one schema: the PostgreSQL schema is the SQLite one with its
// provider changed, every migration name from PostgreSQL's first one on exists in both folders, and each folder's
// migrations lead to exactly the schema (SQLite: the schema engine has nothing left to do; PostgreSQL: the
// catalogs of a database built by the migrations and of one built from the schema are the same).
import fs from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PG_SCHEMA, PG_SCHEMA_AT_LAST_MIGRATION, pgSchemaText } from "../../scripts/db-schemas";
import { applyPgMigrations, migrationsDir, pgMigrationsDir } from "./migrate";
import { pendingSqliteStatements, pgSchemaDiff, scratchPgDatabase } from "./schema-engine";
import { onPostgres } from "./testing";

const names = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(`${dir}/${n}/migration.sql`))
    .sort();

describe("the schema and both migration histories", () => {
  it("the PostgreSQL schema is the SQLite schema with its provider changed (npm run db:generate writes it)", () => {
    expect(fs.readFileSync(PG_SCHEMA, "utf8")).toBe(pgSchemaText());
  });

  it("PostgreSQL's last migration leads to the current schema (else: npm run db:migration -- <name>)", () => {
    expect(fs.readFileSync(PG_SCHEMA_AT_LAST_MIGRATION, "utf8")).toBe(fs.readFileSync(PG_SCHEMA, "utf8"));
  });

  it("every migration since PostgreSQL's first exists under the same name for both databases", () => {
    const sqlite = names(migrationsDir());
    const postgres = names(pgMigrationsDir());
    expect(postgres.length).toBeGreaterThan(0);
    expect(sqlite.slice(sqlite.indexOf(postgres[0]))).toEqual(postgres);
  });

  it("SQLite's migrations lead exactly to the schema: the schema engine finds nothing to change", async () => {
    expect(await pendingSqliteStatements()).toEqual([]);
  }, 60_000);

  // needs a PostgreSQL server: `npm run test:pg` starts a private one and runs this file on it
  it.skipIf(!onPostgres())(
    "PostgreSQL's migrations build the same tables, columns, keys and indexes as the schema (on PostgreSQL)",
    async () => {
      const url = process.env.FERRY_TEST_PG_URL!;
      const byMigrations = await scratchPgDatabase(url, "ferry_sync");
      const bySchema = await scratchPgDatabase(url, "ferry_sync");
      try {
        await applyPgMigrations(byMigrations.url);
        const script = await pgSchemaDiff(null, fs.readFileSync(PG_SCHEMA, "utf8"), url);
        const c = new pg.Client({ connectionString: bySchema.url });
        await c.connect();
        await c.query(script);
        await c.end();
        const [a, b] = await Promise.all([catalog(byMigrations.url), catalog(bySchema.url)]);
        expect(a.length).toBeGreaterThan(50);
        expect(a).toEqual(b);
      } finally {
        await byMigrations.drop();
        await bySchema.drop();
      }
    },
    60_000,
  );
});

/** the tables only several instances use, made by PostgreSQL's migrations and not modelled in the schema */
const UNMODELLED = ["ferry_login_limits", "ferry_login_delays", "socket_io_attachments"];
const unmodelled = (col: string) => `AND ${col} NOT IN (${UNMODELLED.map((t) => `'${t}'`).join(", ")})`;

/** Columns (type, null, default), constraints and indexes of the public schema, as sorted text. */
async function catalog(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query(
      `SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') AS d
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ${unmodelled("table_name")}`,
    );
    const idx = await c.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ${unmodelled("tablename")}`,
    );
    const cons = await c.query(
      `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ${unmodelled("conrelid::regclass::text")}`,
    );
    return [
      ...cols.rows.map((r) => `column ${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable} ${r.d}`),
      ...idx.rows.map((r) => `index ${r.tablename} ${r.indexname} ${r.indexdef}`),
      ...cons.rows.map((r) => `constraint ${r.t} ${r.conname} ${r.def}`),
    ].sort();
  } finally {
    await c.end();
  }
}
