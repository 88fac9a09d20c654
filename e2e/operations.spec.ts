import { expect, test } from "@playwright/test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { apiAs, credentials, loginAs } from "./auth";
import { E2E, METRICS_TOKEN } from "./env";

// Operations (issue 19, part 3): liveness and readiness, and /metrics in Prometheus' text format behind a token.

type Family = {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; count?: string }[];
};

let lastText = "";
async function scrape(): Promise<Family[]> {
  const res = await fetch(`${E2E.baseURL}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  lastText = await res.text();
  return parsePrometheusTextFormat(lastText) as Family[];
}
/** A histogram's observation count for a label value, from the text (the parser keeps only a histogram's buckets). */
const histogramCount = (text: string, name: string, label: string) =>
  [...text.matchAll(new RegExp(`^${name}_count\\{([^}]*)\\} (\\S+)$`, "gm"))]
    .filter((m) => m[1].split(",").includes(label))
    .reduce((sum, m) => sum + Number(m[2]), 0);
const value = (families: Family[], name: string, labels: Record<string, string> = {}) =>
  (families.find((f) => f.name === name)?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);

type Host = { id: string; name: string; domains: { name: string; id: number }[] };
/** ubuntu_fuwa_nfs_domU from wherever the specs before left it (hostB or hostC) to the other, and back. */
function thereAndBack(hosts: Host[]): [string, string][] {
  const here = hosts.find(
    (h) => ["hostB", "hostC"].includes(h.name) && h.domains.some((d) => d.name === "ubuntu_fuwa_nfs_domU"),
  );
  expect(here, "ubuntu_fuwa_nfs_domU runs on hostB or hostC").toBeTruthy();
  const there = here!.name === "hostB" ? "hostC" : "hostB";
  return [
    [here!.name, there],
    [there, here!.name],
  ];
}

test("liveness and readiness answer in words", async () => {
  for (const path of ["/healthz", "/readyz"]) {
    const res = await fetch(`${E2E.baseURL}${path}`);
    expect(res.status, path).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  }
});

test("/metrics needs its token, parses as Prometheus text, and its counters move when a job runs", async () => {
  const anonymous = await fetch(`${E2E.baseURL}/metrics`);
  expect(anonymous.status).toBe(401);
  expect((await anonymous.json()).error.message).toMatch(/metrics token/);
  const wrong = await fetch(`${E2E.baseURL}/metrics`, { headers: { authorization: "Bearer not-the-token-at-all" } });
  expect(wrong.status).toBe(401);

  const before = await scrape();
  const beforeText = lastText;
  // the exporter's families, per instance
  for (const name of [
    "ferry_jobs_total",
    "ferry_migration_duration_seconds",
    "ferry_migration_downtime_seconds",
    "ferry_migration_data_processed_bytes_total",
    "ferry_host_up",
    "ferry_host_refresh_seconds",
    "ferry_job_events_total",
    "ferry_socket_clients",
    "ferry_jobs_active",
    "ferry_process_resident_memory_bytes",
  ])
    expect(
      before.some((f) => f.name === name),
      name,
    ).toBe(true);
  expect(value(before, "ferry_host_up", { host: "hostB" })).toBe(1);
  expect(before.find((f) => f.name === "ferry_host_up")!.metrics[0].labels!.instance).toBeTruthy();

  // a live migration there and back
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as Host[];
  const id = (n: string) => hosts.find((h) => h.name === n)!.id;
  for (const [from, to] of thereAndBack(hosts)) {
    const res = await api.post("/api/jobs", {
      data: {
        kind: "migrate",
        domain: "ubuntu_fuwa_nfs_domU",
        sourceId: id(from),
        targetId: id(to),
        confirmWarnings: true,
      },
    });
    expect(res.status()).toBe(200);
    const { job } = await res.json();
    await expect
      .poll(async () => (await (await api.get(`/api/jobs/${job.id}`)).json()).job.status, {
        timeout: 60_000,
      })
      .toBe("succeeded");
  }
  await api.dispose();
  await expect
    .poll(async () => value(await scrape(), "ferry_jobs_total", { kind: "migrate", outcome: "succeeded" }))
    .toBe(value(before, "ferry_jobs_total", { kind: "migrate", outcome: "succeeded" }) + 2);
  const after = await scrape();
  for (const h of ["ferry_migration_duration_seconds", "ferry_migration_downtime_seconds"])
    expect(histogramCount(lastText, h, 'toolstack="xl"'), h).toBe(histogramCount(beforeText, h, 'toolstack="xl"') + 2);
  expect(value(after, "ferry_migration_data_processed_bytes_total", { kind: "migrate" })).toBeGreaterThanOrEqual(
    value(before, "ferry_migration_data_processed_bytes_total", { kind: "migrate" }) + 2 * 256 * 1024 * 1024 * 0.9,
  );
  expect(value(after, "ferry_job_events_total")).toBeGreaterThan(value(before, "ferry_job_events_total"));
});

test("an API token for automation: made on the Users page, shown once, drives a migration without cookie or CSRF, audited, revoked", async ({
  page,
}) => {
  await loginAs(page, "admin", "/users");
  const tokens = page.getByTestId("tokens");
  // a role above the user's is refused in words
  await tokens.getByTestId("token-user").selectOption({ label: `${credentials("operator").username} (operator)` });
  await tokens.getByTestId("token-name").fill("ci-mover");
  await tokens.getByTestId("token-role").selectOption("admin");
  await tokens.getByTestId("add-token").click();
  await expect(tokens.getByTestId("tokens-error")).toContainText("acts as operator at most");
  await tokens.getByTestId("token-role").selectOption("operator");
  await tokens.getByTestId("add-token").click();
  const secret = (await tokens.getByTestId("token-secret").textContent())!.trim();
  expect(secret).toMatch(/^ferry_/);
  await expect(tokens.getByTestId("token-row-ci-mover")).toContainText("operator");
  await page.reload();
  expect(await page.content()).not.toContain(secret); // shown once

  // what a script does (the README's curl lines): no cookie, no CSRF token
  const bearer = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
  const hosts = (await (await fetch(`${E2E.baseURL}/api/hosts`, { headers: bearer })).json()).hosts as Host[];
  const id = (n: string) => hosts.find((h) => h.name === n)!.id;
  for (const [from, to] of thereAndBack(hosts)) {
    const res = await fetch(`${E2E.baseURL}/api/jobs`, {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({
        kind: "migrate",
        domain: "ubuntu_fuwa_nfs_domU",
        sourceId: id(from),
        targetId: id(to),
        confirmWarnings: true,
      }),
    });
    expect(res.status).toBe(200);
    const { job } = await res.json();
    await expect
      .poll(
        async () => (await (await fetch(`${E2E.baseURL}/api/jobs/${job.id}`, { headers: bearer })).json()).job.status,
        {
          timeout: 60_000,
        },
      )
      .toBe("succeeded");
  }
  // an operator's token cannot do an admin's work
  expect((await fetch(`${E2E.baseURL}/api/users`, { headers: bearer })).status).toBe(403);
  // every use is in the audit log, reads included, with the token's name
  const audit = await apiAs("admin");
  const entries = (await (await audit.get(`/api/audit?actor=${credentials("operator").username}&limit=50`)).json())
    .entries as {
    action: string;
    detail: { token?: string } | null;
  }[];
  expect(entries.filter((e) => e.detail?.token === "ci-mover").map((e) => e.action)).toEqual(
    expect.arrayContaining(["job.start", "api.read /api/hosts", "api.read /api/jobs/[id]"]),
  );
  await audit.dispose();
  // revoked: refused at once, in words
  page.once("dialog", (d) => void d.accept());
  await tokens.getByTestId("token-row-ci-mover").getByTestId("token-revoke").click();
  await expect(tokens.getByTestId("token-row-ci-mover")).toHaveCount(0);
  const after = await fetch(`${E2E.baseURL}/api/hosts`, { headers: bearer });
  expect(after.status).toBe(401);
  expect((await after.json()).error.message).toMatch(/not valid/);
});
