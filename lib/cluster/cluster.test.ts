// Several instances' coordination on a real PostgreSQL (`npm run test:pg`; skipped on SQLite, where one process
// is the whole of Ferry): leases and adoption, the leader's lock, per-host slots, shared login limits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, onPostgres, openTestDatabase, testDatabaseUrl } from "../db/testing";
import { AuthService } from "../auth/service";
import { toAppError } from "../errors";
import { Cluster } from "./cluster";

let db: Db;
let url: string;
const clusters: Cluster[] = [];
const make = async (name: string, leaseMs = 1_500) => {
  const c = new Cluster(url, { name, leaseMs, beatMs: 200, onLeaseLost: () => {} });
  clusters.push(c);
  await c.start();
  return c;
};
const until = async (what: () => boolean | Promise<boolean>, ms = 10_000) => {
  const t0 = Date.now();
  while (!(await what())) {
    if (Date.now() - t0 > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
};
const job = (i: number, ownerId: string | null, hostId = "h1", status = "running") =>
  db.job.create({
    data: {
      kind: "migrate",
      domainName: `vm${i}`,
      memoryMiB: 256,
      sourceHostId: hostId,
      sourceName: hostId,
      createdBy: "test",
      status,
      ownerId,
    },
  });

// Skipped on SQLite (one process is the whole of Ferry there, nothing to coordinate); `npm run test:pg`, part of
// `npm test`, runs this file on a private PostgreSQL, where nothing here is skipped.
describe.skipIf(!onPostgres())("several instances on PostgreSQL", () => {
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-cluster-"));
    db = await openTestDatabase(dir);
    url = testDatabaseUrl(db, dir);
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.close()));
    await closeTestDatabase(db);
  });

  it("a lapsed instance's jobs are claimed by exactly one of two survivors, once", async () => {
    const dead = await make("dead");
    for (let i = 0; i < 6; i++) await job(i, dead.id);
    await job(99, dead.id, "h1", "succeeded"); // ended: nobody adopts it
    const a = await make("a");
    const b = await make("b");
    a.adopt();
    b.adopt();
    const claimed: string[][] = [];
    a.on("orphans", (o) => claimed.push(o.jobs));
    b.on("orphans", (o) => claimed.push(o.jobs));
    await dead.close(); // stops renewing: the lease lapses in 1.5 s
    await until(() => claimed.flat().length === 6);
    // both looked every 200 ms for the whole time; no job was claimed twice
    await new Promise((r) => setTimeout(r, 600));
    const all = claimed.flat();
    expect(new Set(all).size).toBe(6);
    expect(all).toHaveLength(6);
    const owners = await db.job.findMany({
      where: { domainName: { startsWith: "vm" } },
      select: { ownerId: true, status: true },
    });
    expect(owners.filter((o) => o.status === "running").every((o) => o.ownerId === a.id || o.ownerId === b.id)).toBe(
      true,
    );
    expect(owners.find((o) => o.status === "succeeded")?.ownerId).toBe(dead.id);
  });

  it("a live instance's jobs stay its own", async () => {
    const owner = await make("owner");
    await job(200, owner.id);
    const other = await make("other");
    expect((await other.claimOrphans()).jobs).toEqual([]);
  });

  it("one instance leads; when its connection ends another takes over", async () => {
    const first = clusters.find((c) => c.isLeader) ?? (await make("leader"));
    const follower = await make("follower");
    expect(first.isLeader).toBe(true);
    expect(follower.isLeader).toBe(false);
    await first.close();
    await until(() => clusters.some((c) => c !== first && c.isLeader), 5_000);
    expect(clusters.filter((c) => c.isLeader)).toHaveLength(1);
  });

  it("per-host slots hold across instances: of 8 jobs asking at once through 2 instances, 2 start", async () => {
    const x = await make("x");
    const y = await make("y");
    const rows = await Promise.all(
      Array.from({ length: 8 }, (_, i) => job(300 + i, i % 2 ? x.id : y.id, "h9", "queued")),
    );
    const granted = await Promise.all(rows.map((r, i) => (i % 2 ? x : y).hostGate(r.id, "h9", 2)));
    expect(granted.filter(Boolean)).toHaveLength(2);
    expect(await db.job.count({ where: { sourceHostId: "h9", status: "checking" } })).toBe(2);
  });

  it("failed logins on two instances count together", async () => {
    const p = await make("auth");
    const one = new AuthService(db, { shared: p.pool });
    const two = new AuthService(db, { shared: p.pool });
    await one.createUser({ username: "erin", password: "a good long password", role: "viewer" });
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? one : two).login("erin", `wrong-${i}`, `10.1.0.${i}`).then(
          () => "ok",
          (e) => toAppError(e).code,
        ),
      ),
    );
    // the account's 3 free attempts, whichever instance each went to; the rest wait the growing delay
    expect(codes.filter((c) => c === "unauthorized")).toHaveLength(3);
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(17);
    // the per-address limit (here 1 × 6 attempts) counts the attempts made on both instances together
    const strictOne = new AuthService(db, { shared: p.pool, loginAttempts: 1 });
    const strictTwo = new AuthService(db, { shared: p.pool, loginAttempts: 1 });
    const addr: string[] = [];
    for (let i = 0; i < 10; i++)
      addr.push(
        await (i % 2 ? strictOne : strictTwo).login(`nobody${i}`, "wrong", "10.2.0.1").then(
          () => "ok",
          (e) => toAppError(e).code,
        ),
      );
    expect(addr.filter((c) => c === "unauthorized")).toHaveLength(6);
    expect(addr.filter((c) => c === "rate_limited")).toHaveLength(4);
    expect(await strictOne.addressBlockedFor("10.2.0.1")).toBeGreaterThan(0);
  });
});
