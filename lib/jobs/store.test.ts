import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { listJobs } from "./store";

let db: Db;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-store-"));
  db = await openTestDatabase(dir);
  for (const domainName of ["ubuntu_fuwa_nfs_domU", "debian_etch_domU", "uXfwa"])
    await db.job.create({
      data: { kind: "migrate", domainName, memoryMiB: 256, sourceHostId: "a", sourceName: "a", createdBy: "t" },
    });
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("listJobs' domain filter", () => {
  it("matches part of a name, and takes _ and % literally", async () => {
    const names = async (domain: string) => (await listJobs(db, { domain })).map((j) => j.domainName).sort();
    expect(await names("fuwa")).toEqual(["ubuntu_fuwa_nfs_domU"]);
    expect(await names("domU")).toEqual(["debian_etch_domU", "ubuntu_fuwa_nfs_domU"]);
    expect(await names("u_f")).toEqual(["ubuntu_fuwa_nfs_domU"]);
    expect(await names("%")).toEqual([]);
  });
});
