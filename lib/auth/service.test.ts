import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { AuthService } from "./service";
import { AuditLog } from "../audit/service";
import { openDatabase, type Db } from "../db/client";
import { AppError } from "../errors";
import { createLogger } from "../log";

let db: Db;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-auth-"));
  db = openDatabase(path.join(dir, "ferry.db")).db;
});
afterAll(async () => {
  await db.$disconnect();
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

  it("after 5 failures from one address, refuses even the right password, with the wait in words", async () => {
    const auth = new AuthService(db);
    await auth.createUser({ username: "bob", password: "a very good password", role: "viewer" });
    for (let i = 0; i < 5; i++) expect(await codeOf(auth.login("bob", `wrong-${i}`, "2.2.2.2"))).toBe("unauthorized");
    const err = await auth.login("bob", "a very good password", "2.2.2.2").catch((e: AppError) => e);
    expect((err as AppError).code).toBe("rate_limited");
    expect((err as AppError).message).toMatch(/Try again in \d+ minutes?/);
    // another address is not blocked by these
    expect((await auth.login("bob", "a very good password", "3.3.3.3")).session.user.username).toBe("bob");
  });

  it("a concurrent burst of wrong passwords is counted before hashing: at most the cap is ever verified", async () => {
    const auth = new AuthService(db);
    await auth.createUser({ username: "carol", password: "another good password", role: "viewer" });
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => codeOf(auth.login("carol", `wrong-${i}`, "4.4.4.4"))),
    );
    expect(codes.filter((c) => c === "unauthorized")).toHaveLength(5);
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(35);
    // the right password from another address still works
    expect((await auth.login("carol", "another good password", "5.5.5.5")).session.user.username).toBe("carol");
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
    const fresh = openDatabase(path.join(dir, "fresh.db")).db;
    const auth = new AuthService(fresh);
    const secret = auth.issueSetupSecret();
    expect(await codeOf(auth.completeSetup("guess", "eve", "twelve chars!!"))).toBe("forbidden");
    expect((await auth.completeSetup(secret, "first", "first admin pass")).role).toBe("admin");
    expect(await codeOf(auth.completeSetup(secret, "again", "first admin pass"))).toBe("forbidden");
    await fresh.$disconnect();
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
    const raw = new Database(path.join(dir, "ferry.db"));
    expect(() => raw.prepare(`DELETE FROM "AuditEntry"`).run()).toThrow(/the audit log is append-only/);
    expect(() => raw.prepare(`UPDATE "AuditEntry" SET actor = 'mallory'`).run()).toThrow(
      /the audit log is append-only/,
    );
    raw.close();
    expect((await audit.list()).map((e) => e.outcome)).toEqual(["refused", "ok"]);
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
