// Prisma's schema engine as WASM (offline): what it would run to bring a database that has every migration
// applied up to prisma/schema.prisma. Empty means the migrations and the schema agree — the migration generator
// (scripts/db-migration.ts) writes these statements, the in-step test (schema-sync.test.ts) expects none.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { applyMigrations, migrationsDir } from "./migrate";

// biome-ignore lint/suspicious/noExplicitAny: the WASM glue module is untyped
let loaded: Promise<any> | null = null;
/** The engine's module, instantiated once per process (its glue keeps one WASM instance). */
function loadEngine() {
  loaded ??= instantiate();
  return loaded;
}

async function instantiate() {
  const require = createRequire(import.meta.url);
  // the package exports no entry Node can resolve; find its folder beside the SQLite adapter's
  const dir = path.join(
    path.dirname(require.resolve("@prisma/adapter-better-sqlite3")),
    "..",
    "..",
    "schema-engine-wasm",
  );
  const bg = await import(path.join(dir, "schema_engine_bg.js"));
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")), {
    "./schema_engine_bg.js": bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg;
}

/** A factory whose connections record every statement that changes the database (not the engine's reads). */
function recording(factory: SqlMigrationAwareDriverAdapterFactory, statements: string[]) {
  const record = (sql: string) => {
    if (!/^\s*(SELECT\b|PRAGMA\s+[\w.]+\s*(\(|;|$)|SET\b|SHOW\b|BEGIN\b|COMMIT\b|ROLLBACK\b)/i.test(sql))
      statements.push(sql.trim());
  };
  return bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connectToShadowDb: () => factory.connectToShadowDb(),
    connect: async () => {
      const conn = await factory.connect();
      return new Proxy(conn, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          if (prop === "executeRaw")
            return (q: { sql: string }) => {
              record(q.sql);
              return value.call(target, q);
            };
          if (prop === "executeScript")
            return (sql: string) => {
              record(sql);
              return value.call(target, sql);
            };
          return value.bind(target);
        },
      });
    },
  });
}

/**
 * The statements that bring a scratch SQLite database with every migration applied to prisma/schema.prisma
 * (empty: they agree).
 */
export async function pendingSqliteStatements(): Promise<string[]> {
  const bg = await loadEngine();
  const schemaFile = "prisma/schema.prisma";
  const schema = fs.readFileSync(schemaFile, "utf8");
  const statements: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-scratch-"));
  const file = path.join(dir, "scratch.db");
  applyMigrations(file, migrationsDir());
  const factory = new PrismaBetterSqlite3({ url: `file:${file}` }) as unknown as SqlMigrationAwareDriverAdapterFactory;
  try {
    const engine = await bg.SchemaEngine.new(
      { datamodels: [[schemaFile, schema]] },
      () => {},
      recording(factory, statements),
    );
    await engine.schemaPush({
      force: false,
      schema: { files: [{ path: schemaFile, content: schema }] },
      filters: { externalTables: [], externalEnums: [] },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return statements;
}

/**
 * PostgreSQL: the SQL that takes a database from the schema `from` (null: empty) to the schema `to`, computed
 * from the two schema texts (the WASM engine cannot introspect PostgreSQL through the pg adapter: it fails on
 * the catalogs' \"char\" columns).
 */
export async function pgSchemaDiff(from: string | null, to: string, pgUrl: string): Promise<string> {
  const bg = await loadEngine();
  // the engine connects at start (it reads the server's version), though the diff itself reads no database
  const factory = new PrismaPg({ connectionString: pgUrl });
  const engine = await bg.SchemaEngine.new(
    { datamodels: [["schema.prisma", to]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory as unknown as SqlMigrationAwareDriverAdapterFactory),
  );
  const side = (text: string | null) =>
    text === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: text }] };
  let out = "";
  const result = await engine.diff({
    from: side(from),
    to: side(to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  out = result.stdout ?? "";
  return out;
}

/** A fresh, empty database on the server of `url`, and how to drop it. */
export async function scratchPgDatabase(
  url: string,
  prefix = "ferry_scratch",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
