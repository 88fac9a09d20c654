import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { routePolicy, socketPolicy } from "../lib/auth/policy";
import type { Role } from "../lib/auth/roles";
import { apiAs } from "./auth";
import { E2E } from "./env";

// Hostile input at scale (issue 18, part 5): generated bodies, query strings, path ids and socket payloads sent to
// every API route and socket event of the policy table — a new route is covered by default — as anonymous and as
// each role. Every answer must be a success or a 4xx with a sentence — or a 502/503/504 with one when a generated
// address names a host that cannot be reached — never a 500, a stack or a query; and when it
// is over, nothing the inputs could not legitimately change has changed: the hosts ran no command that changes
// anything, and the hosts, users, jobs, images and placement rules are what they were. The run uses users of its
// own (each role), so its per-user limits touch no other test; logins come through the trusted proxy from
// generated addresses, so no address of the other tests is limited by them. (Named zz-… to run last of the sim
// project: it leaves an audit log of thousands of refusals.)

const RUNS_PER_PAIR = Number(process.env.HOSTILE_RUNS ?? 70);
/** Every generated input follows from this seed (printed; HOSTILE_SEED=… replays a run's inputs). */
const SEED = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 31));
let samples = 0;
/** fast-check's sample, the n-th call of the run drawing from SEED + n: a replay draws the same inputs */
const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number) => fc.sample(arb, { numRuns, seed: SEED + samples++ });
/** requests in flight at once */
const IN_FLIGHT = 6;
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "$(reboot)",
    "`id`",
    "; rm -rf /",
    "../../etc/passwd",
    "%00",
    "\u0000",
    "a\nb",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x".repeat(5000),
    "hostA",
    "web-kvm",
    "-oProxyCommand=sh",
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308),
);
const FIELDS = [
  "name",
  "address",
  "port",
  "user",
  "keyPath",
  "toolstack",
  "imageDir",
  "username",
  "password",
  "role",
  "kind",
  "domain",
  "sourceId",
  "targetId",
  "hostId",
  "imageId",
  "dir",
  "on",
  "options",
  "from",
  "to",
  "limit",
  "domains",
  "rule",
  "priority",
  "bandwidthMiBps",
  "maxDowntimeMs",
  "confirmWarnings",
];
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...FIELDS), hostile, { maxKeys: 6 }),
  fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
);
const segment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom("..", "%2e%2e", "hostA", "1", "-1"),
);
const query = fc.dictionary(fc.constantFrom(...FIELDS, "host", "domain", "actor", "outcome", "action"), hostile, {
  maxKeys: 4,
});
const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
);

/** What may be said back: a sentence, never a stack, a query or an internal name. */
function leak(text: string): string | null {
  for (const bad of [/\n\s+at /, /prisma\./i, /Invalid `/, /SQLITE/, /node_modules/, /TypeError|ReferenceError/])
    if (bad.test(text)) return `${bad}`;
  return null;
}

type Who = "anonymous" | Role;
const WHO: Who[] = ["anonymous", "viewer", "operator", "admin"];

test("generated bodies, queries, ids and socket payloads to every route and event, as each role: a 4xx with a sentence or an honest success, and nothing changed", async () => {
  test.setTimeout(600_000);
  console.log(
    `hostile inputs: seed ${SEED} (replay: HOSTILE_SEED=${SEED} npx playwright test e2e/zz-hostile-inputs.spec.ts)`,
  );
  const admin = await apiAs("admin");
  const counts = async () => {
    const [hosts, users, jobs, images, placement] = await Promise.all(
      ["/api/hosts", "/api/users", "/api/jobs", "/api/images", "/api/placement"].map(async (u) =>
        (await admin.get(u)).json(),
      ),
    );
    return {
      hosts: hosts.hosts.length,
      users: users.users.length,
      jobs: jobs.jobs.length,
      images: images.images.length,
      placement: JSON.stringify(placement),
    };
  };
  // users of its own
  const stamp = Date.now().toString(36);
  const clients = new Map<Who, APIRequestContext>();
  const created: string[] = [];
  clients.set("anonymous", await playwrightRequest.newContext({ baseURL: E2E.baseURL }));
  for (const role of ["viewer", "operator", "admin"] as const) {
    const username = `fuzz-${role}-${stamp}`;
    const password = `fuzz password ${stamp}`;
    const res = await admin.post("/api/users", { data: { username, password, role } });
    expect(res.status()).toBe(200);
    created.push((await res.json()).user.id);
    const login = await playwrightRequest.newContext({ baseURL: E2E.baseURL });
    expect((await login.post("/api/auth/login", { data: { username, password } })).status()).toBe(200);
    const { csrfToken } = await (await login.get("/api/auth/session")).json();
    const storageState = await login.storageState();
    await login.dispose();
    clients.set(
      role,
      await playwrightRequest.newContext({
        baseURL: E2E.baseURL,
        storageState,
        extraHTTPHeaders: { "x-csrf-token": csrfToken, origin: E2E.baseURL },
      }),
    );
  }
  // the catalog first in step with the disks: a generated request may legitimately run a discovery (it only reads)
  expect((await admin.post("/api/images/discover", { data: {} })).status()).toBe(200);
  const before = await counts();
  const since = Date.now();

  let sent = 0;
  const byStatus = new Map<number, number>();
  const successes = new Set<string>();
  const failures: string[] = [];
  let address = 0;
  const requests: (() => Promise<void>)[] = [];
  for (const [key] of Object.entries(routePolicy)) {
    const [method, route] = key.split(" ");
    // logging out would end the run's own sessions; it is tried anonymously only
    for (const who of WHO) {
      if (route === "/api/auth/logout" && who !== "anonymous") continue;
      for (const [b, id, q, type] of sample(fc.tuple(body, segment, query, contentType), RUNS_PER_PAIR)) {
        const url = `${route.replace("[id]", encodeURIComponent(id))}?${new URLSearchParams(
          Object.entries(q).map(([k, v]) => [k, String(v)]),
        )}`;
        address++;
        const headers: Record<string, string> = {
          "x-forwarded-for": `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
        };
        const data = method === "GET" || method === "DELETE" ? undefined : JSON.stringify(b);
        if (data !== undefined) headers["content-type"] = type;
        requests.push(async () => {
          const asked = `${who} ${method} ${url} ${type} ${data?.slice(0, 120) ?? ""}`;
          let res: Awaited<ReturnType<APIRequestContext["fetch"]>>;
          try {
            res = await clients.get(who)!.fetch(url, { method, headers, data, failOnStatusCode: false });
          } catch (e) {
            // a hostile input must get an answer: say which one got none, and whether the server is still there
            const alive = await fetch(`${E2E.baseURL}/healthz`).then(
              (r) => r.ok,
              () => false,
            );
            failures.push(
              `${asked}: no answer (${(e as Error).message.split("\n")[0]}); the server ${alive ? "still answers /healthz" : "does not answer /healthz"}`,
            );
            return;
          }
          sent++;
          const status = res.status();
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          const text = await res.text();
          const where = `${asked} → ${status}`;
          // a 5xx only as a gateway's answer about a host (502/503/504: a name that does not resolve, a host that
          // does not answer), with a sentence like any refusal; a 500 is always a failure
          if (status >= 500 && ![502, 503, 504].includes(status)) failures.push(`${where}: ${text.slice(0, 200)}`);
          else if (status >= 400) {
            let message = "";
            try {
              message = JSON.parse(text).error.message;
            } catch {
              failures.push(`${where}: not a JSON error: ${text.slice(0, 200)}`);
              return;
            }
            if (typeof message !== "string" || message.length < 10) failures.push(`${where}: no sentence: ${text}`);
            const leaked = leak(text);
            if (leaked) failures.push(`${where}: leaks ${leaked}: ${text.slice(0, 300)}`);
          } else if (method !== "GET") successes.add(`${who} ${key}`);
        });
      }
    }
  }
  // several requests in flight at once, as several clients would send them (the server answers each on its own)
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let r = requests.shift(); r; r = requests.shift()) await r();
    }),
  );

  // socket events, as each role that may connect
  let events = 0;
  for (const who of ["viewer", "operator", "admin"] as const) {
    const cookie = (await clients.get(who)!.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const sock: Socket = io(E2E.baseURL, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", () => resolve());
      sock.once("connect_error", reject);
    });
    for (const event of Object.keys(socketPolicy)) {
      for (const payload of sample(fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostile), RUNS_PER_PAIR * 2)) {
        const reply = await sock.timeout(10_000).emitWithAck(event as never, payload as never);
        events++;
        if (!reply || typeof reply.ok !== "boolean")
          failures.push(`${who} ${event} ${JSON.stringify(payload)} → ${JSON.stringify(reply)}`);
        else if (!reply.ok && (typeof reply.error?.message !== "string" || reply.error.message.length < 10))
          failures.push(`${who} ${event} ${JSON.stringify(payload)} → no sentence: ${JSON.stringify(reply)}`);
      }
    }
    expect(sock.connected, `${who}'s socket survived the run`).toBe(true);
    sock.close();
  }

  const after = await counts();
  // nothing a generated input should be able to make: a host, a user, a job, an image, a placement rule
  const creating = [...successes].filter((s) =>
    /(POST|DELETE) \/api\/(hosts|users|jobs|evacuations|placement|images\/\[id\])($|\/\[id\]$|\/rules)|PUT \/api\/placement|PATCH \/api\/users/.test(
      s,
    ),
  );
  // the hosts ran nothing that changes anything: no toolstack or file command that writes, as a word of its own
  // (a path such as x.save is not the word save)
  const WRITES = new Set(
    "migrate save restore destroy undefine define create shutdown start resume suspend pause unpause rm mv cp scp dd mkdir rmdir chmod chown truncate kill".split(
      " ",
    ),
  );
  const changed = ((await (await fetch(`${E2E.simControl}/commands?since=${since}`)).json()) as { argv: string[] }[])
    .map((c) => c.argv.join(" "))
    .filter((c) => c.split(/[\s|;&"'`()]+/).some((w) => WRITES.has(w)));
  console.log(
    `hostile inputs: ${sent} HTTP requests over ${Object.keys(routePolicy).length} routes × ${WHO.length} roles, ${events} socket events; answers ${[
      ...byStatus,
    ]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(", ")}; successes of mutating routes: ${[...successes].sort().join(", ") || "none"}`,
  );
  for (const id of created) await admin.delete(`/api/users/${id}`);
  for (const c of clients.values()) await c.dispose();
  await admin.dispose();
  expect(failures.slice(0, 20)).toEqual([]);
  expect(creating).toEqual([]);
  expect(changed).toEqual([]);
  expect(after).toEqual(before);
  expect(sent + events).toBeGreaterThanOrEqual(10_000);
});
