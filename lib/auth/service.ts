import { EventEmitter } from "node:events";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors";
import type { Db } from "../db/client";
import { AccountDelays, SharedAccountDelays } from "./account-delay";
import { burnVerify, hashPassword, verifyPassword } from "./password";
import { isRole, type Role } from "./roles";
import type { CreateUserInput } from "./schema";

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}
export interface SessionInfo {
  id: string;
  user: SessionUser;
  csrfToken: string;
  expiresAt: Date;
  /** set when the caller is an API token (Authorization: Bearer), not a browser session */
  tokenName?: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const token = () => randomBytes(32).toString("base64url");

export interface AuthOptions {
  sessionTtlMs?: number;
  loginAttempts?: number;
  loginWindowS?: number;
  accountDelays?: ConstructorParameters<typeof AccountDelays>[0];
  /** the clock of the per-account delays (tests move it) */
  now?: () => number;
  /**
   * several instances on PostgreSQL: the login limits live in the database, so failed logins on every instance
   * count together
   */
  shared?: pg.Pool;
}

/** Users, sessions, login rate limits and the one-time setup secret. */
export class AuthService extends EventEmitter<{ "session-ended": [string]; "role-changed": [string, Role] }> {
  readonly sessionTtlMs: number;
  private readonly perAccount: RateLimiterMemory | RateLimiterPostgres;
  private readonly perAddress: RateLimiterMemory | RateLimiterPostgres;
  private readonly accountDelays: AccountDelays | SharedAccountDelays;
  private setupSecretHash: string | null = null;

  constructor(
    private readonly db: Db,
    opts: AuthOptions = {},
  ) {
    super();
    this.sessionTtlMs = opts.sessionTtlMs ?? 12 * 3600_000;
    const duration = opts.loginWindowS ?? 900;
    const points = opts.loginAttempts ?? 5;
    if (opts.shared) {
      // the table is made by PostgreSQL's migrations (20261201015057_scale_out)
      const store = {
        storeClient: opts.shared,
        storeType: "pool",
        tableName: "ferry_login_limits",
        tableCreated: true,
        duration,
      };
      this.perAccount = new RateLimiterPostgres({ ...store, keyPrefix: "account", points });
      this.perAddress = new RateLimiterPostgres({ ...store, keyPrefix: "address", points: points * 6 });
      this.accountDelays = new SharedAccountDelays(opts.shared, opts.accountDelays);
    } else {
      this.perAccount = new RateLimiterMemory({ points, duration });
      this.perAddress = new RateLimiterMemory({ points: points * 6, duration });
      this.accountDelays = new AccountDelays(opts.accountDelays, opts.now);
    }
  }

  /**
   * Logs in; a wrong password and an unknown user get the same answer. Three limits, all counted **before** the
   * password is hashed (a burst of concurrent guesses cannot slip past a cap while the first are being verified):
   * - per account and address: 5 attempts per 15 min, then even the right password is refused from there;
   * - per address, all accounts: 30 per 15 min (the address is the client's, from a trusted proxy's
   *   X-Forwarded-For, see lib/auth/client-address.ts);
   * - per account, all addresses: growing delays after 3 failures (1 s, 2 s, 4 s … at most 30 s between attempts),
   *   so guesses spread over many addresses stay slow, and the owner elsewhere waits seconds, never minutes.
   * A right password gives its attempts back.
   */
  async login(username: string, password: string, ip: string): Promise<{ token: string; session: SessionInfo }> {
    const name = username.trim().toLowerCase();
    const accountKey = `${name}|${ip}`;
    try {
      await this.perAddress.consume(ip);
    } catch (e) {
      throw rateLimited((e as RateLimiterRes).msBeforeNext ?? 60_000);
    }
    try {
      await this.perAccount.consume(accountKey);
    } catch (e) {
      await this.perAddress.reward(ip, 1); // refused here: it costs the address nothing
      throw rateLimited((e as RateLimiterRes).msBeforeNext ?? 60_000);
    }
    const claim = await this.accountDelays.claim(name);
    if (!claim.ok) {
      await Promise.all([this.perAddress.reward(ip, 1), this.perAccount.reward(accountKey, 1)]);
      const s = Math.max(1, Math.ceil(claim.waitMs / 1000));
      throw new AppError(
        "rate_limited",
        `This account had several failed logins just now. Wait ${s} second${s === 1 ? "" : "s"} and try again.`,
      );
    }
    const user = await this.db.user.findUnique({ where: { username: name } });
    let ok = false;
    try {
      // an unknown user costs the same hashing time as a known one
      if (!user) await burnVerify(password);
      else ok = await verifyPassword(user.passwordHash, password);
    } catch (e) {
      // refused before hashing (too many logins being checked): the attempt costs the limits nothing
      await Promise.all([this.perAddress.reward(ip, 1), this.perAccount.reward(accountKey, 1)]);
      throw e;
    }
    if (!user || !ok) throw new AppError("unauthorized", "Unknown user name or wrong password.");
    await this.accountDelays.succeeded(name);
    await Promise.all([this.perAccount.delete(accountKey), this.perAddress.reward(ip, 1)]);
    await this.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    return this.createSession(user.id);
  }

  /** ms until the address may try again when it has no login attempts left, else null (counts nothing). */
  async addressBlockedFor(ip: string): Promise<number | null> {
    const r = await this.perAddress.get(ip);
    return r && r.remainingPoints <= 0 ? r.msBeforeNext : null;
  }

  async createSession(userId: string): Promise<{ token: string; session: SessionInfo }> {
    const t = token();
    const row = await this.db.session.create({
      data: { tokenHash: sha256(t), csrfToken: token(), userId, expiresAt: new Date(Date.now() + this.sessionTtlMs) },
      include: { user: true },
    });
    return { token: t, session: toSessionInfo(row) };
  }

  /** The session behind a cookie token; expired sessions are deleted and refused as such. */
  async session(t: string | undefined | null): Promise<SessionInfo> {
    if (!t) throw new AppError("unauthorized", "Log in to use Ferry.");
    return this.check(await this.db.session.findUnique({ where: { tokenHash: sha256(t) }, include: { user: true } }));
  }

  /** Re-checks a session a socket holds: it may have expired, ended, or its user's role changed. */
  async sessionById(id: string): Promise<SessionInfo> {
    return this.check(await this.db.session.findUnique({ where: { id }, include: { user: true } }));
  }

  private async check(row: SessionRow | null): Promise<SessionInfo> {
    if (!row) throw new AppError("unauthorized", "Your session is not valid (logged out elsewhere?). Log in again.");
    if (row.expiresAt.getTime() <= Date.now()) {
      await this.db.session.deleteMany({ where: { id: row.id } });
      throw new AppError("session_expired", "Your session has expired. Log in again.");
    }
    if (Date.now() - row.lastSeenAt.getTime() > 60_000) {
      await this.db.session.update({
        where: { id: row.id },
        data: { lastSeenAt: new Date(), expiresAt: new Date(Date.now() + this.sessionTtlMs) },
      });
    }
    return toSessionInfo(row);
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id: sessionId } });
    this.emit("session-ended", sessionId);
  }

  async userCount(): Promise<number> {
    return this.db.user.count();
  }

  async listUsers() {
    return (
      await this.db.user.findMany({
        orderBy: { username: "asc" },
        select: { id: true, username: true, role: true, createdAt: true, lastLoginAt: true },
      })
    ).map((u) => ({ ...u, role: isRole(u.role) ? u.role : "viewer" }));
  }

  async createUser(input: CreateUserInput): Promise<SessionUser> {
    if (await this.db.user.findUnique({ where: { username: input.username } }))
      throw new AppError("conflict", `A user named ${input.username} already exists.`);
    const u = await this.db.user.create({
      data: { username: input.username, role: input.role, passwordHash: await hashPassword(input.password) },
    });
    return { id: u.id, username: u.username, role: input.role };
  }

  /** Creates or resets a user (the `user:add` command and the demo): returns the user. */
  async upsertUser(username: string, role: Role, password: string): Promise<SessionUser> {
    const passwordHash = await hashPassword(password);
    const u = await this.db.user.upsert({
      where: { username },
      create: { username, role, passwordHash },
      update: { role, passwordHash },
    });
    await this.db.session.deleteMany({ where: { userId: u.id } });
    return { id: u.id, username, role };
  }

  /**
   * A user changes their own password: the current one is required (a session left open is not enough). Their
   * other sessions end; the one they changed it from stays.
   */
  async changeOwnPassword(userId: string, keepSessionId: string, current: string, next: string): Promise<void> {
    const u = await this.db.user.findUnique({ where: { id: userId } });
    if (!u) throw new AppError("not_found", "No such user.");
    // guesses at the current password (a session left open) wait as guesses at a login do
    const claim = await this.accountDelays.claim(u.username);
    if (!claim.ok) {
      const secs = Math.max(1, Math.ceil(claim.waitMs / 1000));
      throw new AppError("rate_limited", `Several wrong passwords just now: wait ${secs} s and try again.`);
    }
    if (!(await verifyPassword(u.passwordHash, current)))
      throw new AppError("invalid_input", "Your current password is not right: nothing was changed.");
    await this.accountDelays.succeeded(u.username);
    if (current === next) throw new AppError("invalid_input", "The new password is the current one: choose another.");
    await this.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(next) } });
    await this.endSessions(userId, keepSessionId);
  }

  /** An admin sets a user's password (a forgotten one): every session of that user ends. */
  async resetPassword(userId: string, password: string): Promise<SessionUser> {
    const u = await this.db.user.findUnique({ where: { id: userId } });
    if (!u) throw new AppError("not_found", "No such user.");
    await this.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password) } });
    await this.endSessions(userId, null);
    return { id: u.id, username: u.username, role: isRole(u.role) ? u.role : "viewer" };
  }

  private async endSessions(userId: string, keepSessionId: string | null) {
    const where = { userId, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) };
    const ended = await this.db.session.findMany({ where, select: { id: true } });
    await this.db.session.deleteMany({ where });
    for (const s of ended) this.emit("session-ended", s.id);
  }

  async setRole(id: string, role: Role): Promise<SessionUser> {
    const u = await this.db.user.findUnique({ where: { id } });
    if (!u) throw new AppError("not_found", "No such user.");
    if (u.role === "admin" && role !== "admin") await this.ensureAnotherAdmin(id);
    await this.db.user.update({ where: { id }, data: { role } });
    if (u.role !== role) this.emit("role-changed", id, role);
    return { id, username: u.username, role };
  }

  async deleteUser(id: string): Promise<SessionUser> {
    const u = await this.db.user.findUnique({ where: { id } });
    if (!u) throw new AppError("not_found", "No such user.");
    if (u.role === "admin") await this.ensureAnotherAdmin(id);
    const sessions = await this.db.session.findMany({ where: { userId: id }, select: { id: true } });
    await this.db.user.delete({ where: { id } });
    for (const s of sessions) this.emit("session-ended", s.id);
    return { id, username: u.username, role: isRole(u.role) ? u.role : "viewer" };
  }

  private async ensureAnotherAdmin(exceptId: string) {
    if ((await this.db.user.count({ where: { role: "admin", id: { not: exceptId } } })) === 0) {
      throw new AppError("conflict", "Ferry needs at least one admin: make another user admin first.");
    }
  }

  /** First start with no users: a one-time secret, printed to the console, lets one person create the first admin. */
  issueSetupSecret(): string {
    const secret = randomBytes(18).toString("base64url");
    this.setupSecretHash = sha256(secret);
    return secret;
  }

  async completeSetup(secret: string, username: string, password: string): Promise<SessionUser> {
    const ok =
      this.setupSecretHash !== null && timingSafeEqual(Buffer.from(sha256(secret)), Buffer.from(this.setupSecretHash));
    if (!ok || (await this.userCount()) > 0)
      throw new AppError("forbidden", "That is not the current one-time setup secret (or setup is already done).");
    this.setupSecretHash = null;
    return this.createUser({ username, password, role: "admin" });
  }

  get setupPending(): boolean {
    return this.setupSecretHash !== null;
  }
}

export function rateLimited(ms: number): AppError {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return new AppError(
    "rate_limited",
    `Too many failed logins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  );
}

type SessionRow = {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
  user: { id: string; username: string; role: string };
};

function toSessionInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
    user: { id: row.user.id, username: row.user.username, role: isRole(row.user.role) ? row.user.role : "viewer" },
  };
}
