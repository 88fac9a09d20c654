import fs from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import fc from "fast-check";
import { io } from "socket.io-client";
import { apiAs, credentials, loginAs } from "./auth";
import { E2E } from "./env";
import { simHosts } from "./sim-control";

/** Every argv the simulated hosts ran since `since`, except the inventory's own periodic reads. */
async function foreignCommands(since: number): Promise<string[][]> {
  const all = (await (await fetch(`${E2E.simControl}/commands?since=${since}`)).json()) as { argv: string[] }[];
  const inventory = new Set([
    "xl info",
    "xl list",
    "xl list -l",
    "xl uptime",
    "xm info",
    "xm list",
    "xm list --long",
    "cat /proc/cpuinfo",
    "cat /etc/machine-id",
    "stat -c %a %U %n /xen-saved-images",
  ]);
  // the KVM hosts' inventory: read-only virsh queries, per host and per listed domain
  const virshReads = new Set([
    "nodeinfo",
    "nodememstats",
    "list",
    "version",
    "hostname",
    "capabilities",
    "dominfo",
    "domblklist",
    "domiflist",
  ]);
  // the usage samples' reads of the migration NIC (lib/inventory/nic.ts): its route, once, and its byte counters
  const nicRead = (argv: string[]) =>
    /^(ip route get [\d.]+|cat \/sys\/class\/net\/[\w.-]+\/statistics\/(rx|tx)_bytes)$/.test(argv.join(" "));
  const allowed = (argv: string[]) =>
    inventory.has(argv.join(" ")) || (argv[0] === "virsh" && virshReads.has(argv[1])) || nicRead(argv);
  // the inventory runs its commands as one script (lib/toolstacks/batch.ts), each reading /dev/null with a marker
  // after it: in the connection's long-lived shell (its start is recorded as `sh`, lib/ssh/remote-shell.ts), or, for
  // virsh's side-by-side batches, as `sh -c`; the commands inside are recorded on their own as well, so the wrapper
  // only has to be recognised
  const longLivedShell = (argv: string[]) => argv.length === 1 && argv[0] === "sh";
  const mark =
    / <\/dev\/null; printf '\\n%s %s\\n' @@ferry-[0-9a-z-]+ "\$\?"; printf '\\n%s\\n' @@ferry-[0-9a-z-]+ >&2$/;
  const batch = (argv: string[]) =>
    argv[0] === "sh" &&
    argv[1] === "-c" &&
    argv.length === 3 &&
    argv[2]
      .split("\n")
      .every(
        (line) =>
          mark.test(line) &&
          /^(xl (info|list|list -l|uptime)|xm (info|list|list --long)|stat -c '%a %U %n' \/xen-saved-images|cat \/proc\/cpuinfo|ip -o addr|ip -o link show type bridge|virsh (nodeinfo|nodememstats|list --all|version|hostname|dominfo [\w.-]+|domblklist --details [\w.-]+|domiflist [\w.-]+))$/.test(
            line.replace(mark, ""),
          ),
      );
  const marker = (argv: string[]) => argv[0] === "printf" && /^@@ferry-[0-9a-z-]+$/.test(argv[2] ?? "");
  return all
    .map((c) => c.argv)
    .filter((argv) => !allowed(argv) && !batch(argv) && !marker(argv) && !longLivedShell(argv));
}

test("no secret reaches an API response or a page's source", async ({ page }) => {
  const privateKey = fs
    .readFileSync(path.join(E2E.dataDir, "sim", "id_ed25519"), "utf8")
    .split("\n")
    .slice(1, 3)
    .join("");
  const secrets = [
    privateKey,
    "$argon2",
    "passwordHash",
    ...["viewer", "operator", "admin"].map((r) => credentials(r as "admin").password),
  ];
  const admin = await apiAs("admin");
  const token = (await admin.storageState()).cookies.find((c) => c.name === "ferry_session")!.value;
  secrets.push(token);
  const bodies: string[] = [];
  for (const url of ["/api/hosts", "/api/users", "/api/audit", "/api/auth/session"])
    bodies.push(await (await admin.get(url)).text());
  await loginAs(page, "admin");
  for (const url of ["/", "/hosts", "/users", "/audit"]) {
    await page.goto(url);
    bodies.push(await page.content());
    bodies.push(await (await page.request.get(url)).text()); // the server-rendered HTML, flight data included
  }
  for (const body of bodies)
    for (const s of secrets) expect(body.includes(s), `a response contains ${s.slice(0, 12)}…`).toBe(false);
  await admin.dispose();
});

test("the demo's credentials file is private (0600)", () => {
  expect(fs.statSync(path.join(E2E.dataDir, "demo-credentials.json")).mode & 0o777).toBe(0o600);
});

test("hostile host names, addresses, users and key paths are refused with the allowed characters, and nothing reaches a host", async () => {
  const admin = await apiAs("admin");
  const b = (await simHosts()).find((h) => h.name === "hostB")!;
  const since = Date.now();
  const hostile = fc.constantFrom(
    "hostB;reboot",
    "$(reboot)",
    "`id`",
    "-oProxyCommand=touch /tmp/x",
    "--help",
    "a\nb",
    "../../etc",
    "'quoted'",
    "名前",
    "x y",
  );
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(hostile, fc.constantFrom("name", "address", "user", "keyPath"), async (value, field) => {
      const data = {
        name: "hostile",
        address: b.address,
        port: b.port,
        user: "root",
        authMethod: "key",
        keyPath: b.keyPath,
        fingerprint: b.fingerprint,
        [field]: value,
      };
      const res = await admin.post("/api/hosts", { data });
      tried++;
      expect(res.status(), `${field}=${JSON.stringify(value)}`).toBe(400);
      expect((await res.json()).error.message).toMatch(
        /uses letters|IPv4 or IPv6 address or a DNS name|absolute|control character/,
      );
    }),
    { numRuns: 60 },
  );
  expect(tried).toBe(60);
  // a refresh inside the window: its commands are recognised as the inventory's, and nothing else ran
  expect((await admin.post("/api/inventory/refresh")).status()).toBe(200);
  const seen = (await (await fetch(`${E2E.simControl}/commands?since=${since}`)).json()) as { argv: string[] }[];
  expect(seen.some((c) => c.argv.join(" ") === "xl info")).toBe(true);
  expect(seen.some((c) => c.argv[0] === "printf" && /^@@ferry-/.test(c.argv[2] ?? ""))).toBe(true);
  expect(await foreignCommands(since)).toEqual([]);
  const hosts = (await (await admin.get("/api/hosts")).json()).hosts as { name: string }[];
  expect(hosts.some((h) => h.name === "hostile")).toBe(false);
  await admin.dispose();
});

test("the Audit page shows who did what, refused attempts included, and filters", async ({ page }) => {
  const viewer = await apiAs("viewer");
  expect((await viewer.post("/api/hosts/scan", { data: { address: "127.0.0.1", port: 22 } })).status()).toBe(403);
  await viewer.dispose();
  const operator = await apiAs("operator");
  const hostB = ((await (await operator.get("/api/hosts")).json()).hosts as { id: string; name: string }[]).find(
    (h) => h.name === "hostB",
  )!;
  expect((await operator.post(`/api/hosts/${hostB.id}/test`)).status()).toBe(200);
  await operator.dispose();

  await loginAs(page, "viewer", "/audit");
  await page.goto("/audit");
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "host.test" }).filter({ hasText: "operator" }).first()).toContainText("hostB");
  await expect(rows.filter({ hasText: "host.scan" }).filter({ hasText: "refused" }).first()).toContainText("viewer");
  await expect(rows.filter({ hasText: "auth.login" }).first()).toBeVisible();

  await page.goto("/audit?outcome=refused");
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) expect(text).toContain("refused");
  await page.goto("/audit?from=not-a-date");
  await expect(page.getByTestId("audit-filter-error")).toContainText("Dates are real days written like 2026-11-25");
});

test("impossible dates get a 400 with a sentence from the APIs and a sentence on the pages, never a query", async ({
  page,
}) => {
  const api = await apiAs("admin");
  for (const url of [
    "/api/jobs?from=2026-13-45",
    "/api/audit?from=2026-13-45",
    "/api/jobs?to=2026-02-30",
    "/api/jobs?from=2026-11-30&to=2026-11-01",
  ]) {
    const res = await api.get(url);
    expect(res.status(), url).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error.message, url).toMatch(
      /Dates are real days written like 2026-11-25|The start date is after the end date/,
    );
    expect(text, url).not.toMatch(/prisma|Invalid Date|findMany|at .*\.ts:/i);
  }
  await api.dispose();
  await loginAs(page, "admin");
  for (const p of ["/history?from=2026-13-45", "/audit?from=2026-13-45"]) {
    const res = await page.goto(p);
    expect(res?.status(), p).toBe(200);
    await expect(page.locator("main")).toContainText("Dates are real days written like 2026-11-25.");
  }
});

test("hostile traffic: security headers on pages and API, a body over the limit refused before it is read, a socket from another site refused", async () => {
  const api = await apiAs("viewer");
  // headers on a page and on an API answer
  for (const url of ["/", "/api/hosts"]) {
    const res = await api.get(url);
    const h = res.headers();
    expect(h["content-security-policy"], url).toContain("frame-ancestors 'none'");
    expect(h["x-frame-options"], url).toBe("DENY");
    expect(h["x-content-type-options"], url).toBe("nosniff");
    expect(h["referrer-policy"], url).toBe("same-origin");
  }
  expect((await api.get("/api/hosts")).headers()["cache-control"]).toBe("no-store");
  // a 2 MB login body, anonymously: 413 with a sentence, and the server is still there
  const anon = await apiAs("anonymous");
  const big = await anon.post("/api/auth/login", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ username: "x".repeat(2 * 1024 * 1024), password: "y" }),
  });
  expect(big.status()).toBe(413);
  expect((await big.json()).error.message).toMatch(/too large: Ferry takes at most 256 KiB/);
  expect((await api.get("/api/auth/session")).status()).toBe(200);
  // a body that does not say it is JSON (what another site's form can send) is refused unread
  const plain = await anon.post("/api/auth/login", {
    headers: { "content-type": "text/plain" },
    data: JSON.stringify({ username: "admin", password: "x" }),
  });
  expect(plain.status()).toBe(415);
  expect((await plain.json()).error.message).toMatch(/takes JSON bodies/);
  // a socket with a valid session cookie but another site's Origin
  const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const foreign = io(E2E.baseURL, {
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: { cookie, origin: "http://evil.test" },
  });
  const err = await new Promise<Error>((resolve) => foreign.on("connect_error", resolve));
  expect(err.message).toMatch(/another site/);
  foreign.close();
  await api.dispose();
  await anon.dispose();
});

test("the server's private-key paths are for admins: viewers and operators never get them, on pages, API or socket", async ({
  page,
}) => {
  type Host = { name: string; authMethod: string; keyPath: string | null };
  const admin = await apiAs("admin");
  const adminHosts: Host[] = (await (await admin.get("/api/hosts")).json()).hosts;
  const paths = adminHosts.filter((h) => h.authMethod === "key").map((h) => h.keyPath);
  expect(paths.length).toBeGreaterThan(0);
  expect(paths.every((p) => typeof p === "string" && p.startsWith("/"))).toBe(true);
  for (const role of ["viewer", "operator"] as const) {
    const api = await apiAs(role);
    const hosts: Host[] = (await (await api.get("/api/hosts")).json()).hosts;
    expect(hosts.map((h) => h.keyPath)).toEqual(hosts.map(() => null));
    await api.dispose();
  }
  await loginAs(page, "viewer", "/hosts");
  await expect(page.getByTestId("host-row-hostA")).toContainText("an SSH key");
  const html = await (await page.request.get("/hosts")).text();
  for (const p of paths) expect(html).not.toContain(p!);

  // a user whose role changes is moved at once: their live socket gets a snapshot with (then without) the paths
  const username = `keys-${Date.now()}`;
  const password = "a long enough password";
  const created = await admin.post("/api/users", { data: { username, password, role: "viewer" } });
  expect(created.status()).toBe(200);
  const { user } = await created.json();
  const login = await playwrightRequest.newContext({ baseURL: E2E.baseURL });
  expect((await login.post("/api/auth/login", { data: { username, password } })).status()).toBe(200);
  const cookie = (await login.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const sock = io(E2E.baseURL, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
  const snapshots: Host[][] = [];
  const next = () => new Promise<Host[]>((resolve) => sock.once("inventory:snapshot", resolve));
  snapshots.push(await next());
  const promoted = next();
  expect((await admin.patch(`/api/users/${user.id}`, { data: { role: "admin" } })).status()).toBe(200);
  snapshots.push(await promoted);
  const demoted = next();
  expect((await admin.patch(`/api/users/${user.id}`, { data: { role: "operator" } })).status()).toBe(200);
  snapshots.push(await demoted);
  const keyed = (s: Host[]) => s.filter((h) => h.authMethod === "key").map((h) => h.keyPath);
  expect(keyed(snapshots[0]).every((p) => p === null)).toBe(true);
  expect(keyed(snapshots[1])).toEqual(paths);
  expect(keyed(snapshots[2]).every((p) => p === null)).toBe(true);
  sock.close();
  await admin.delete(`/api/users/${user.id}`);
  await login.dispose();
  await admin.dispose();
});

test("pages run only their own scripts: a per-request nonce policy, no violation on any page, injected markup cannot run code", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await loginAs(page, "admin", "/");
  const nonces = new Set<string>();
  for (const url of ["/", "/hosts", "/hosts/hostA", "/images", "/history", "/audit", "/users"]) {
    const res = await page.goto(url);
    const policy = res!.headers()["content-security-policy"];
    const nonce = policy.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/)?.[1];
    expect(nonce, `${url}: ${policy}`).toBeTruthy();
    nonces.add(nonce!);
    // the page hydrated: its scripts ran under the policy
    await expect(page.getByTestId("logout")).toHaveAttribute("data-ready", "1");
  }
  expect(nonces.size).toBe(7); // a fresh nonce each time
  expect(violations).toEqual([]);
  // markup injected into the page (what an XSS would add) cannot run an inline handler: the policy refuses it
  const outcome = await page.evaluate(
    () =>
      new Promise<{ directive: string; ran: boolean }>((resolve) => {
        document.addEventListener(
          "securitypolicyviolation",
          (e) => resolve({ directive: e.effectiveDirective, ran: "__injected" in window }),
          { once: true },
        );
        const div = document.createElement("div");
        div.innerHTML = `<img src="data:," onerror="window.__injected = 1">`;
        document.body.append(div);
      }),
  );
  expect(outcome).toEqual({ directive: "script-src-attr", ran: false });
});
