import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { AuthService } from "./service";
import { AccountDelays } from "./account-delay";
import { hashingStats } from "./password";
import { AuditLog } from "../audit/service";
import type { Db } from "../db/client";
import { closeTestDatabase, onPostgres, openTestDatabase } from "../db/testing";
import { AppError } from "../errors";
import { createLogger } from "../log";

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-auth-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return "no error";
}

describe("AuthService", () => {
  it("stores an argon2id hash, never the password, and logs in with the right one only", async () => {
    const auth = new AuthService(db);
    await auth.createUser({ username: "alice", password: "correct horse battery", role: "operator" });
    const row = await db.user.findUniqueOrThrow({ where: { username: "alice" } });
    expect(row.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(row.passwordHash).not.toContain("correct horse");
    expect(await codeOf(auth.login("alice", "wrong password!", "1.1.1.1"))).toBe("unauthorized");
    expect(await codeOf(auth.login("nobody", "whatever", "1.1.1.1"))).toBe("unauthorized");
    const { token, session } = await auth.login("Alice", "correct horse battery", "1.1.1.1");
    expect(session.user).toMatchObject({ username: "alice", role: "operator" });
    expect((await auth.session(token)).id).toBe(session.id);
    expect((await db.session.findUniqueOrThrow({ where: { id: session.id } })).tokenHash).not.toBe(token);
  });

  it("after 5 failures from one address, refuses even the right password there; elsewhere it waits seconds, not minutes", async () => {
    let t = 1_000_000;
    const auth = new AuthService(db, { now: () => t });
    await auth.createUser({ username: "bob", password: "a very good password", role: "viewer" });
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(auth.login("bob", `wrong-${i}`, "2.2.2.2"))).toBe("unauthorized");
      t += 31_000; // past the account's delay: this test is about the address's cap
    }
    const err = await auth.login("bob", "a very good password", "2.2.2.2").catch((e: AppError) => e);
    expect((err as AppError).code).toBe("rate_limited");
    expect((err as AppError).message).toMatch(/Try again in \d+ minutes?/);
    // another address is not locked out by these; right after a failure it waits the account's short delay
    expect(await codeOf(auth.login("bob", "wrong-again", "6.6.6.6"))).toBe("unauthorized");
    const wait = await auth.login("bob", "a very good password", "3.3.3.3").catch((e: AppError) => e);
    expect((wait as AppError).code).toBe("rate_limited");
    const seconds = Number((wait as AppError).message.match(/Wait (\d+) seconds?/)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(30);
    t += seconds * 1000;
    expect((await auth.login("bob", "a very good password", "3.3.3.3")).session.user.username).toBe("bob");
  });

  it("a concurrent burst of wrong passwords is counted before hashing, from one address or from many", async () => {
    let t = 2_000_000;
    const auth = new AuthService(db, { now: () => t });
    await auth.createUser({ username: "carla", password: "another good password", role: "viewer" });
    const oneAddress = await Promise.all(
      Array.from({ length: 40 }, (_, i) => codeOf(auth.login("carla", `wrong-${i}`, "4.4.4.4"))),
    );
    // the account's 3 free attempts are all that get verified; the rest are refused before any hashing
    expect(oneAddress.filter((c) => c === "unauthorized")).toHaveLength(3);
    expect(oneAddress.filter((c) => c === "rate_limited")).toHaveLength(37);
    t += 30_000;
    const manyAddresses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => codeOf(auth.login("carla", `wrong-${i}`, `10.0.0.${i + 1}`))),
    );
    expect(manyAddresses.filter((c) => c === "unauthorized")).toHaveLength(1);
    expect(manyAddresses.filter((c) => c === "rate_limited")).toHaveLength(39);
    // the right password from another address works once the (bounded) delay has passed
    t += 30_000;
    expect((await auth.login("carla", "another good password", "5.5.5.5")).session.user.username).toBe("carla");
  });

  it("the delay between guesses at one account grows to at most 30 s, and a success forgets it", () => {
    let t = 0;
    const delays = new AccountDelays(undefined, () => t);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      expect(delays.claim("dave").ok).toBe(true);
      const w = delays.waitMs("dave");
      if (w > 0) expect(delays.claim("dave")).toEqual({ ok: false, waitMs: w });
      waits.push(w / 1000);
      t += w;
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 16, 30, 30, 30]);
    delays.succeeded("dave");
    expect(delays.waitMs("dave")).toBe(0);
    // and after a quiet quarter of an hour the count starts again
    for (let i = 0; i < 5; i++) delays.claim("erin");
    t += 16 * 60_000;
    expect(delays.claim("erin").ok).toBe(true);
    expect(delays.waitMs("erin")).toBe(0);
  });

  it("one address gets 30 attempts across all accounts", async () => {
    const auth = new AuthService(db, { now: () => 4_000_000 });
    const codes: string[] = [];
    for (let i = 0; i < 31; i++) codes.push(await codeOf(auth.login(`nobody-${i}`, "x", "7.7.7.7")));
    expect(codes.slice(0, 30).every((c) => c === "unauthorized")).toBe(true);
    expect(codes[30]).toBe("rate_limited");
  });

  it("refuses an expired session as expired and deletes it; logout ends a session", async () => {
    const short = new AuthService(db, { sessionTtlMs: 30 });
    const u = await db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const { token, session } = await short.createSession(u.id);
    await new Promise((r) => setTimeout(r, 60)); // the session's lifetime is the thing under test
    expect(await codeOf(short.session(token))).toBe("session_expired");
    expect(await db.session.findUnique({ where: { id: session.id } })).toBeNull();

    const auth = new AuthService(db);
    const ended: string[] = [];
    auth.on("session-ended", (id) => ended.push(id));
    const live = await auth.createSession(u.id);
    await auth.logout(live.session.id);
    expect(ended).toEqual([live.session.id]);
    expect(await codeOf(auth.session(live.token))).toBe("unauthorized");
  });

  it("a user changes their own password with the current one; their other sessions end, this one stays", async () => {
    const auth = new AuthService(db);
    const ended: string[] = [];
    auth.on("session-ended", (id) => ended.push(id));
    const u = await auth.createUser({ username: "erin", password: "erin's first password", role: "viewer" });
    const here = await auth.createSession(u.id);
    const elsewhere = await auth.createSession(u.id);
    await expect(auth.changeOwnPassword(u.id, here.session.id, "not it at all", "erin's new password")).rejects.toThrow(
      "Your current password is not right: nothing was changed.",
    );
    await expect(
      auth.changeOwnPassword(u.id, here.session.id, "erin's first password", "erin's first password"),
    ).rejects.toThrow("The new password is the current one: choose another.");
    expect(ended).toEqual([]);
    await auth.changeOwnPassword(u.id, here.session.id, "erin's first password", "erin's new password");
    expect(ended).toEqual([elsewhere.session.id]);
    expect((await auth.session(here.token)).user.username).toBe("erin");
    expect(await codeOf(auth.session(elsewhere.token))).toBe("unauthorized");
    expect(await codeOf(auth.login("erin", "erin's first password", "2.2.2.2"))).toBe("unauthorized");
    expect((await auth.login("erin", "erin's new password", "2.2.2.3")).session.user.username).toBe("erin");
  });

  it("an admin resets a user's password: every session of that user ends", async () => {
    const auth = new AuthService(db);
    const u = await auth.createUser({ username: "dave", password: "dave's forgotten one", role: "viewer" });
    const s = await auth.createSession(u.id);
    expect((await auth.resetPassword(u.id, "a new one for dave")).username).toBe("dave");
    expect(await codeOf(auth.session(s.token))).toBe("unauthorized");
    expect((await auth.login("dave", "a new one for dave", "3.3.3.3")).session.user.username).toBe("dave");
    expect(await codeOf(auth.resetPassword("nobody", "a new one for nobody"))).toBe("not_found");
  });

  it("keeps at least one admin", async () => {
    const auth = new AuthService(db);
    const root = await auth.createUser({ username: "root1", password: "admin password 1", role: "admin" });
    expect(await codeOf(auth.setRole(root.id, "viewer"))).toBe("conflict");
    expect(await codeOf(auth.deleteUser(root.id))).toBe("conflict");
    const second = await auth.createUser({ username: "root2", password: "admin password 2", role: "admin" });
    await auth.setRole(root.id, "viewer");
    expect(await codeOf(auth.deleteUser(second.id))).toBe("conflict");
  });

  it("the one-time setup secret works once, and only while there are no users", async () => {
    const fresh = await openTestDatabase(dir, "fresh.db");
    const auth = new AuthService(fresh);
    const secret = auth.issueSetupSecret();
    expect(await codeOf(auth.completeSetup("guess", "eve", "twelve chars!!"))).toBe("forbidden");
    expect((await auth.completeSetup(secret, "first", "first admin pass")).role).toBe("admin");
    expect(await codeOf(auth.completeSetup(secret, "again", "first admin pass"))).toBe("forbidden");
    await closeTestDatabase(fresh);
  });
});

describe("AuditLog", () => {
  it("appends and filters; the database refuses updates and deletes", async () => {
    const audit = new AuditLog(db);
    await audit.record({ actor: "alice", role: "operator", action: "host.add", target: "hostD", outcome: "ok" });
    await audit.record({
      actor: "anonymous",
      action: "host.add",
      outcome: "refused",
      detail: { code: "unauthorized" },
    });
    expect((await audit.list({ outcome: "refused" })).map((e) => e.actor)).toEqual(["anonymous"]);
    expect((await audit.list({ actor: "alice" }))[0]).toMatchObject({
      action: "host.add",
      target: "hostD",
      outcome: "ok",
    });
    // Prisma reports the trigger's abort as a constraint violation; the raw driver shows whose it is
    await expect(db.auditEntry.updateMany({ data: { outcome: "ok" } })).rejects.toThrow();
    await expect(db.auditEntry.deleteMany({})).rejects.toThrow();
    if (onPostgres()) {
      await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEntry"`)).rejects.toThrow(/append-only/);
      await expect(db.$executeRawUnsafe(`UPDATE "AuditEntry" SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    } else {
      const raw = new Database(path.join(dir, "ferry.db"));
      expect(() => raw.prepare(`DELETE FROM "AuditEntry"`).run()).toThrow(/the audit log is append-only/);
      expect(() => raw.prepare(`UPDATE "AuditEntry" SET actor = 'mallory'`).run()).toThrow(
        /the audit log is append-only/,
      );
      raw.close();
    }
    expect((await audit.list()).map((e) => e.outcome)).toEqual(["refused", "ok"]);
  });

  it("aggregates a flood of failed logins: the first from an address at once, the rest as one row", async () => {
    const audit = new AuditLog(db, 60_000);
    const count = async () => db.auditEntry.count({ where: { action: "auth.login" } });
    const base = await count();
    for (let i = 0; i < 200; i++)
      await audit.recordRepeated({
        actor: `guess-${i % 3}`,
        action: "auth.login",
        outcome: "refused",
        ip: i < 150 ? "9.9.9.9" : "8.8.8.8",
      });
    expect(await count()).toBe(base + 2); // one per address so far
    await audit.flush();
    expect(await count()).toBe(base + 4);
    const [latest] = await audit
      .list({ action: "auth.login", limit: 4 })
      .then((r) => r.filter((e) => e.ip === "9.9.9.9"));
    expect(latest.detail).toMatchObject({ repeated: 149, users: ["guess-1", "guess-2", "guess-0"] });
    expect(String(latest.detail?.message)).toMatch(/^149 more like this from 9\.9\.9\.9 between /);
  });
});

describe("log", () => {
  it("redacts passwords, tokens, cookies and keys wherever they sit", () => {
    const lines: string[] = [];
    const logger = createLogger({
      write: (s: string) => {
        lines.push(s);
      },
    });
    logger.info(
      {
        password: "hunter2hunter2",
        body: { password: "pw-in-body" },
        token: "t0k",
        headers: { cookie: "ferry_session=abc" },
        privateKey: "-----BEGIN",
      },
      "login",
    );
    const out = lines.join("");
    expect(out).toContain("[redacted]");
    expect(out).not.toMatch(/hunter2|pw-in-body|t0k|ferry_session=abc|BEGIN/);
  });
});

describe("password hashing under a login flood", () => {
  it("runs at most 2 hashes at once and refuses, with a 503 and no hashing, what would queue past 16", async () => {
    const auth = new AuthService(db);
    const before = hashingStats.refused;
    const codes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => codeOf(auth.login(`flood-${i}`, "guess", `10.9.${i >> 8}.${i & 255}`))),
    );
    expect(hashingStats.peakRunning).toBeLessThanOrEqual(2);
    const busy = codes.filter((c) => c === "busy").length;
    expect(busy).toBeGreaterThan(0);
    expect(hashingStats.refused - before).toBe(busy);
    expect(codes.filter((c) => c === "unauthorized").length).toBe(60 - busy);
    expect(new AppError("busy", "x").status).toBe(503);
  });
});
