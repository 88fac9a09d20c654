import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma 7 reads the datasource URL here. Ferry itself opens the database through the
// better-sqlite3 adapter (lib/db/client.ts) and applies migrations itself (lib/db/migrate.ts).
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "file:./state/ferry.db" },
});
