import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { applyMigrations, migrationsDir } from "./migrate";

describe("applyMigrations", () => {
  it("creates the database, applies each migration once, and records it as Prisma does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-mig-"));
    const file = path.join(dir, "nested", "ferry.db");
    const first = applyMigrations(file);
    expect(first.length).toBe(fs.readdirSync(migrationsDir()).length);
    expect(applyMigrations(file)).toEqual([]);
    const db = new Database(file);
    const rows = db.prepare(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`).all() as { checksum: string; finished_at: number }[];
    expect(rows).toHaveLength(first.length);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name='Host'`).get()).toBeTruthy();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to run when an applied migration's file was edited", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-mig-"));
    const migs = path.join(dir, "migrations");
    fs.cpSync(migrationsDir(), migs, { recursive: true });
    const file = path.join(dir, "ferry.db");
    applyMigrations(file, migs);
    const first = fs.readdirSync(migs).sort()[0];
    fs.appendFileSync(path.join(migs, first, "migration.sql"), "\n-- edited\n");
    expect(() => applyMigrations(file, migs)).toThrow(/changed after it was applied/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
