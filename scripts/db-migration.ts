// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql, the SQL
// that takes a database from the previous migrations to prisma/schema.prisma. Offline: it runs Prisma's
// schema engine as WASM (@prisma/schema-engine-wasm) against an in-memory SQLite, no engine download.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { applyMigrations } from "../lib/db/migrate";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const dir = path.join(
  path.dirname(require.resolve("@prisma/adapter-better-sqlite3")),
  "..",
  "..",
  "schema-engine-wasm",
);
const bg = await import(path.join(dir, "schema_engine_bg.js"));
const imports = { "./schema_engine_bg.js": bg };
const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")), imports);
bg.__wbg_set_wasm(instance.exports);
(instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();

// The "from" side: a scratch SQLite file with every existing migration applied.
const scratch = path.join(process.cwd(), "state", `migration-scratch-${process.pid}.db`);
fs.mkdirSync(path.dirname(scratch), { recursive: true });
applyMigrations(scratch);
const schema = fs.readFileSync("prisma/schema.prisma", "utf8");
const factory = new PrismaBetterSqlite3({ url: `file:${scratch}` });
// Prisma's SQLite diff fails under the WASM engine here, but schemaPush works: push the schema to the
// scratch database and record every statement the engine executes — that is the migration.
const statements: string[] = [];
// Keep what changes the database (including PRAGMA x=y around table rebuilds); skip the engine's reads.
const record = (q: { sql: string }) => {
  if (!/^\s*(SELECT\b|PRAGMA\s+[\w.]+\s*(\(|;|$))/i.test(q.sql)) statements.push(q.sql.trim());
};
const adapter = bindMigrationAwareSqlAdapterFactory({
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
            record(q);
            return value.call(target, q);
          };
        if (prop === "executeScript")
          return (sql: string) => {
            statements.push(sql.trim());
            return value.call(target, sql);
          };
        return value.bind(target);
      },
    });
  },
});
const engine = await bg.SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, adapter);
await engine.schemaPush({
  force: false,
  schema: { files: [{ path: "schema.prisma", content: schema }] },
  filters: { externalTables: [], externalEnums: [] },
});
const sql = statements.length ? `${statements.map((s) => (s.endsWith(";") ? s : `${s};`)).join("\n\n")}\n` : "";
for (const f of [scratch, `${scratch}-wal`, `${scratch}-shm`]) fs.rmSync(f, { force: true });
if (!sql.trim()) {
  console.log("The schema matches the migrations: nothing to write.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const out = path.join("prisma", "migrations", `${stamp}_${name}`);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "migration.sql"), sql);
console.log(`wrote ${out}/migration.sql`);
