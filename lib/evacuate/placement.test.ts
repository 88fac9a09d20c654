import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import { Placement } from "./placement";

// The placement rules alone: what a proposed move breaks, and what is refused when a rule is written.

let db: Db;
let dir: string;
const host = (name: string, domains: string[]) =>
  ({ id: `id-${name}`, name, domains: domains.map((d, i) => ({ id: i + 1, name: d })) }) as unknown as HostView;
const hosts = [host("hostA", ["web1", "db1"]), host("hostB", ["web2", "db2"])];
const inventory = { snapshot: () => hosts } as unknown as Inventory;
let placement: Placement;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-placement-"));
  db = await openTestDatabase(dir);
  placement = new Placement(db, inventory);
  await placement.addRule({ name: "webs apart", kind: "anti-affinity", domains: ["web1", "web2"] }, "t");
  await placement.addRule({ name: "pair", kind: "affinity", domains: ["web2", "db2"] }, "t");
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("placement rules", () => {
  it("warns when a move would put two kept-apart domains together, or split a kept-together pair", async () => {
    expect(await placement.rulesBrokenBy("web1", hosts[1])).toEqual([
      'Rule "webs apart" keeps web1 apart from web2, which runs on hostB.',
    ]);
    const checks = await placement.checks("web2", hosts[0]);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["placement-rule", "warn"],
      ["placement-rule", "warn"],
    ]);
    expect(checks.map((c) => c.reason).join(" ")).toMatch(/keeps web2 together with db2, which is not on hostA/);
    expect(await placement.rulesBrokenBy("db1", hosts[1])).toEqual([]);
  });

  it("refuses a rule naming a domain no host has, or a name already taken, and stores nothing", async () => {
    await expect(placement.addRule({ name: "x", kind: "affinity", domains: ["nosuch"] }, "t")).rejects.toThrow(
      /No host has a domain named nosuch/,
    );
    await expect(placement.addRule({ name: "pair", kind: "affinity", domains: ["db1"] }, "t")).rejects.toThrow(
      /already exists/,
    );
    expect((await placement.settings()).rules.map((r) => r.name)).toEqual(["pair", "webs apart"]);
  });
});
