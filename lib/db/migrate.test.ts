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
    const rows = db.prepare(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`).all() as {
      checksum: string;
      finished_at: number;
    }[];
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

describe("applyMigrations on a database with data", () => {
  it("keeps existing rows when a later migration rebuilds a table", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-mig-"));
    const migs = path.join(dir, "migrations");
    fs.mkdirSync(migs);
    const names = fs.readdirSync(migrationsDir()).sort();
    fs.cpSync(path.join(migrationsDir(), names[0]), path.join(migs, names[0]), { recursive: true });
    const file = path.join(dir, "ferry.db");
    applyMigrations(file, migs);
    const db = new Database(file);
    db.prepare(
      `INSERT INTO "Host" (id, name, address, fingerprint, updatedAt) VALUES ('h1', 'hostB', '10.0.0.2', 'SHA256:x', 0)`,
    ).run();
    db.close();
    fs.cpSync(migrationsDir(), migs, { recursive: true });
    expect(applyMigrations(file, migs)).toEqual(names.slice(1));
    const after = new Database(file);
    expect(after.prepare(`SELECT name, imageDir FROM "Host"`).all()).toEqual([
      { name: "hostB", imageDir: "/xen-saved-images" },
    ]);
    after.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
