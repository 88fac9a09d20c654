import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { hasRole, isRole, type Role } from "./roles";
import type { CreateTokenInput } from "./schema";
import type { SessionInfo } from "./service";

// API tokens for automation: `Authorization: Bearer ferry_…` instead of the cookie and CSRF token (a browser never
// sends that header to another site by itself, so cross-site forgery does not apply). A token acts with its own
// role, never above its user's (checked when it is made and again on every use: a user moved down takes their
// tokens down too). Only a SHA-256 of it is stored; it is shown once.

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
export const TOKEN_PREFIX = "ferry_";
/** how much of a token lists show: the prefix and 4 of its 43 random characters */
const HINT_LENGTH = TOKEN_PREFIX.length + 4;

export interface TokenView {
  id: string;
  userId: string;
  username: string;
  name: string;
  /** the token's first characters, "ferry_AbCd" (empty for tokens made before hints were kept) */
  hint: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export class ApiTokens {
  constructor(private readonly db: Db) {}

  /** Makes a token; the secret is in the answer only. */
  async create(input: CreateTokenInput, createdBy: string): Promise<{ token: string; view: TokenView }> {
    const user = await this.db.user.findUnique({ where: { id: input.userId } });
    if (!user) throw new AppError("not_found", "No such user.");
    const userRole = isRole(user.role) ? user.role : "viewer";
    if (!hasRole(userRole, input.role))
      throw new AppError(
        "invalid_input",
        `A token of ${user.username} acts as ${userRole} at most (their role); ${input.role} is higher.`,
      );
    // one user's tokens are told apart by name (the audit log names the token that acted)
    if (await this.db.apiToken.findFirst({ where: { userId: user.id, name: input.name } }))
      throw new AppError(
        "conflict",
        `${user.username} already has a token named ${input.name}: give this one another name, or revoke that one first.`,
      );
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const row = await this.db.apiToken.create({
      data: {
        userId: user.id,
        name: input.name,
        role: input.role,
        tokenHash: sha256(token),
        hint: token.slice(0, HINT_LENGTH),
        createdBy,
      },
      include: { user: true },
    });
    return { token, view: toView(row) };
  }

  async list(): Promise<TokenView[]> {
    return (await this.db.apiToken.findMany({ include: { user: true }, orderBy: { createdAt: "desc" } })).map(toView);
  }

  async revoke(id: string): Promise<TokenView> {
    const row = await this.db.apiToken.findUnique({ where: { id }, include: { user: true } });
    if (!row) throw new AppError("not_found", "No such token (revoked already?).");
    await this.db.apiToken.delete({ where: { id } });
    return toView(row);
  }

  /** The session a bearer token stands for, or a 401 in words. */
  async session(header: string): Promise<SessionInfo & { tokenName: string }> {
    const token = header.slice("Bearer ".length).trim();
    const row = token.startsWith(TOKEN_PREFIX)
      ? await this.db.apiToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } })
      : null;
    if (!row) throw new AppError("unauthorized", "That API token is not valid (revoked, or mistyped).");
    const userRole = isRole(row.user.role) ? row.user.role : "viewer";
    const tokenRole = isRole(row.role) ? row.role : "viewer";
    // never above the user's role now
    const role = hasRole(userRole, tokenRole) ? tokenRole : userRole;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)
      await this.db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    return {
      id: `token:${row.id}`,
      csrfToken: "",
      expiresAt: new Date(Date.now() + 3600_000),
      user: { id: row.user.id, username: row.user.username, role },
      tokenName: row.name,
    };
  }
}

function toView(row: {
  id: string;
  userId: string;
  name: string;
  hint: string;
  role: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  user: { username: string };
}): TokenView {
  return {
    id: row.id,
    userId: row.userId,
    username: row.user.username,
    name: row.name,
    hint: row.hint,
    role: isRole(row.role) ? row.role : "viewer",
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
