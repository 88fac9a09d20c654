// prisma/schema.prisma is the one schema. The PostgreSQL client is generated from a copy that differs only in
// its provider and output; `npm run db:generate` writes that copy and generates both clients.
import fs from "node:fs";

export const SQLITE_SCHEMA = "prisma/schema.prisma";
export const PG_SCHEMA = "prisma/postgresql/schema.prisma";
/** the PostgreSQL schema the last PostgreSQL migration leads to: the next migration is the diff from it */
export const PG_SCHEMA_AT_LAST_MIGRATION = "prisma/postgresql/schema-at-last-migration.prisma";

/** The PostgreSQL schema's text, from the SQLite one. */
export function pgSchemaText(sqlite = fs.readFileSync(SQLITE_SCHEMA, "utf8")): string {
  const out = sqlite
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output(\s*)=\s*"\.\.\/lib\/db\/generated"/, 'output$1= "../../lib/db/generated-pg"')
    .replace(/^\/\/ SQLite is the embedded default[^\n]*\n(\/\/[^\n]*\n)*/, "");
  return `// GENERATED from prisma/schema.prisma by \`npm run db:generate\` (scripts/db-schemas.ts): edit that file, not this one.\n${out}`;
}

export function writePgSchema(): boolean {
  const text = pgSchemaText();
  const now = fs.existsSync(PG_SCHEMA) ? fs.readFileSync(PG_SCHEMA, "utf8") : "";
  if (now === text) return false;
  fs.mkdirSync("prisma/postgresql", { recursive: true });
  fs.writeFileSync(PG_SCHEMA, text);
  return true;
}

if (process.argv[1]?.endsWith("db-schemas.ts")) {
  writePgSchema();
}
