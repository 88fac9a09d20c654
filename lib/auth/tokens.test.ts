import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { AppError } from "../errors";
import { AuthService } from "./service";
import { ApiTokens } from "./tokens";

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-tokens-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, act with their role never above the user's, and stop when revoked", async () => {
    const auth = new AuthService(db);
    const tokens = new ApiTokens(db);
    const op = await auth.createUser({ username: "robot", password: "a long robot password", role: "operator" });
    // above the user's role: refused in words
    const high = await tokens.create({ userId: op.id, name: "too-high", role: "admin" }, "alice").catch((e) => e);
    expect(high).toBeInstanceOf(AppError);
    expect((high as AppError).message).toBe("A token of robot acts as operator at most (their role); admin is higher.");
    const { token, view } = await tokens.create({ userId: op.id, name: "nightly", role: "operator" }, "alice");
    expect(token).toMatch(/^ferry_[\w-]{43}$/);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.tokenHash).not.toContain(token.slice(6));
    expect(JSON.stringify(await tokens.list())).not.toContain(token);
    // the list tells tokens apart by their first characters; one user's names are unique
    expect(view.hint).toBe(token.slice(0, 10));
    await expect(tokens.create({ userId: op.id, name: "nightly", role: "viewer" }, "alice")).rejects.toThrow(
      "robot already has a token named nightly: give this one another name, or revoke that one first.",
    );
    expect((await tokens.list()).filter((t) => t.name === "nightly")).toHaveLength(1);
    const s = await tokens.session(`Bearer ${token}`);
    expect(s).toMatchObject({ user: { username: "robot", role: "operator" }, tokenName: "nightly" });
    // the user moved down takes the token down with them
    await auth.setRole(op.id, "viewer");
    expect((await tokens.session(`Bearer ${token}`)).user.role).toBe("viewer");
    await tokens.revoke(view.id);
    await expect(tokens.session(`Bearer ${token}`)).rejects.toThrow(/not valid \(revoked, or mistyped\)/);
    await expect(tokens.session("Bearer ferry_guess")).rejects.toThrow(/not valid/);
  });
});
