import fs from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";
import { E2E } from "./env";
import type { Role } from "../lib/auth/roles";

/** The demo's logins, written by scripts/demo.ts at each start (0600). */
export function credentials(role: Role, dataDir = E2E.dataDir): { username: string; password: string } {
  return JSON.parse(fs.readFileSync(path.join(dataDir, "demo-credentials.json"), "utf8"))[role];
}

export async function loginAs(page: Page, role: Role, next = "/", dataDir = E2E.dataDir) {
  const c = credentials(role, dataDir);
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId("login-username").fill(c.username);
  await page.getByTestId("login-password").fill(c.password);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("whoami")).toHaveText(`${c.username} · ${role}`);
  // the page is interactive only once React has hydrated it: wait for that state, not for time
  await expect(page.getByTestId("logout")).toHaveAttribute("data-ready", "1");
}

/** An API client signed in as `role` that sends the session's CSRF token on every request. */
export async function apiAs(role: Role | "anonymous"): Promise<APIRequestContext> {
  if (role === "anonymous") return playwrightRequest.newContext({ baseURL: E2E.baseURL });
  const login = await playwrightRequest.newContext({ baseURL: E2E.baseURL });
  const res = await login.post("/api/auth/login", { data: credentials(role) });
  expect(res.status()).toBe(200);
  const { csrfToken } = await (await login.get("/api/auth/session")).json();
  const storageState = await login.storageState();
  await login.dispose();
  return playwrightRequest.newContext({
    baseURL: E2E.baseURL,
    storageState,
    extraHTTPHeaders: { "x-csrf-token": csrfToken },
  });
}
