import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { io } from "socket.io-client";
import { routePolicy, socketPolicy, pagePolicy } from "../lib/auth/policy";
import { hasRole, type Access, type Role } from "../lib/auth/roles";
import { apiAs, credentials, loginAs } from "./auth";
import { E2E } from "./env";

// Walks every route, page and socket event as anonymous, viewer and operator, and asserts each refusal.

function routeFiles(): string[] {
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const route = `/${path.relative("app", path.dirname(p)).split(path.sep).join("/")}`;
        for (const m of fs.readFileSync(p, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g))
          keys.push(`${m[1]} ${route}`);
      }
    }
  };
  walk(path.join("app", "api"));
  return keys.sort();
}

const who: ("anonymous" | Role)[] = ["anonymous", "viewer", "operator"];
const clients = new Map<string, APIRequestContext>();
test.beforeAll(async () => {
  for (const w of who) clients.set(w, await apiAs(w));
});
test.afterAll(async () => {
  for (const c of clients.values()) await c.dispose();
});

function expected(access: Access, w: "anonymous" | Role): 401 | 403 | null {
  if (access === "public") return null;
  if (w === "anonymous") return 401;
  if (access === "session") return null;
  return hasRole(w, access) ? null : 403;
}

test("the policy table names every route handler, and every row has a handler", () => {
  expect(routeFiles()).toEqual(Object.keys(routePolicy).sort());
});

test("every route refuses whoever its policy excludes: 401 signed out, 403 below the role", async () => {
  let refusals = 0;
  for (const [key, rule] of Object.entries(routePolicy)) {
    const [method, route] = key.split(" ");
    const url = route.replace("[id]", "no-such-id");
    for (const w of who) {
      const want = expected(rule.access, w);
      if (want === null) continue;
      const res = await clients.get(w)!.fetch(url, { method, data: method === "GET" ? undefined : {} });
      expect(res.status(), `${w} → ${key}`).toBe(want);
      const body = await res.json();
      expect(body.error.code, `${w} → ${key}`).toBe(want === 401 ? "unauthorized" : "forbidden");
      expect(body.error.message.length).toBeGreaterThan(10);
      refusals++;
    }
  }
  expect(refusals).toBeGreaterThan(20);
});

test("pages send the signed-out to the login page and show a refusal below the role", async ({ page }) => {
  for (const p of Object.keys(pagePolicy).map((k) => k.replace(/\[[a-z]+\]/g, "some-id"))) {
    await page.goto(p);
    await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(p).replace(/[/]/g, "\\/")}`));
  }
  // the icon is there for the signed-out too (browsers ask for /favicon.ico on their own)
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  await loginAs(page, "operator");
  await page.goto("/users");
  await expect(page.getByTestId("forbidden")).toContainText("operator");
  await expect(page.getByTestId("nav-users")).toHaveCount(0);
  await page.goto("/hosts");
  await expect(page.getByTestId("add-host-form")).toHaveCount(0);
  await expect(page.getByTestId("hosts-readonly")).toBeVisible();
});

test("socket.io refuses a connection without a session and checks each event's role", async () => {
  const refused = io(E2E.baseURL, { transports: ["websocket"], reconnection: false });
  const err = await new Promise<Error>((resolve) => refused.on("connect_error", resolve));
  expect(err.message).toMatch(/Log in/);
  refused.close();

  const viewer = clients.get("viewer")!;
  const cookie = (await viewer.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const sock = io(E2E.baseURL, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
  const snapshot = await new Promise<unknown[]>((resolve) => sock.on("inventory:snapshot", resolve));
  expect(snapshot.length).toBe(7); // the demo: hostA–C (Xen), kvmA, kvmB (libvirt), xmA, xmB (xend)
  for (const [event, access] of Object.entries(socketPolicy)) {
    const reply = await sock.timeout(10_000).emitWithAck(event, {});
    const refused = !reply.ok && ["forbidden", "unauthorized"].includes(reply.error.code);
    expect(refused, `${event}: ${JSON.stringify(reply)}`).toBe(!hasRole("viewer", access as Role));
  }
  const bad = await sock.timeout(10_000).emitWithAck("inventory:refresh", { evil: "$(reboot)" });
  expect(bad).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  sock.close();
});

test("a forged request — no CSRF token, a wrong one, or another site's Origin — changes nothing", async ({
  playwright,
}) => {
  const admin = await apiAs("admin");
  const state = await admin.storageState();
  const forger = await playwright.request.newContext({ baseURL: E2E.baseURL, storageState: state });
  const before = (await (await admin.get("/api/users")).json()).users.length;
  const data = { username: "mallory", password: "forged password 1", role: "admin" };
  const noToken = await forger.post("/api/users", { data });
  expect(noToken.status()).toBe(403);
  expect((await noToken.json()).error.code).toBe("csrf_failed");
  expect((await forger.post("/api/users", { data, headers: { "x-csrf-token": "guess" } })).status()).toBe(403);
  const { csrfToken } = await (await admin.get("/api/auth/session")).json();
  const crossSite = await forger.post("/api/users", {
    data,
    headers: { "x-csrf-token": csrfToken, origin: "http://evil.example" },
  });
  expect(crossSite.status()).toBe(403);
  expect((await crossSite.json()).error.message).toContain("evil.example");
  expect((await (await admin.get("/api/users")).json()).users.length).toBe(before);
  await forger.dispose();
  await admin.dispose();
});

test("a wrong password and a dead session get clear refusals", async ({ page, playwright }) => {
  await page.goto("/login");
  await page.getByTestId("login-username").fill("viewer");
  await page.getByTestId("login-password").fill("not the password");
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("login-error")).toHaveText("Unknown user name or wrong password.");

  const stale = await playwright.request.newContext({
    baseURL: E2E.baseURL,
    extraHTTPHeaders: { cookie: "ferry_session=expired-or-forged" },
  });
  const res = await stale.get("/api/hosts");
  expect(res.status()).toBe(401);
  expect((await res.json()).error.message).toMatch(/session is not valid/);
  await stale.dispose();

  await loginAs(page, "viewer");
  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-form")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  expect(credentials("viewer").username).toBe("viewer");
});
