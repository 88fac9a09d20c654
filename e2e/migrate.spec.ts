import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { loginAs } from "./auth";
import { E2E } from "./env";
import { overlap } from "./boxes";
import { drag } from "./drag";
import { cancelAndPutBack, startMigration } from "./jobs-api";

// Live migration in the browser: drag, see the checks, migrate, watch the phases and the downtime.

async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

test("drag a domain from hostB to hostC: checks, phases, downtime, then it is on hostC and in History", async ({
  page,
}) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  // the guide's move is hostB → hostC; an earlier spec may have left the domain on hostC, then it goes back
  const from = (await where("ubuntu_fuwa_nfs_domU"))[0];
  const to = from === "hostB" ? "hostC" : "hostB";
  const card = cluster.domain(from, "ubuntu_fuwa_nfs_domU");
  const asked: { sourceId: string; targetId: string }[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/checks/migration") asked.push(r.postDataJSON());
  });
  const { drop } = await drag(page, card, cluster.host(to));
  // the verdict shows while hovering, before the drop
  await expect(cluster.host(to).getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "ok");
  // the drag began over its own host: the browser refuses that drop itself and asks the server only about the
  // target (the server's checks measure the source's link and dirty rate, and QEMU measures one at a time)
  expect(asked.length).toBeGreaterThan(0);
  expect(asked.filter((a) => a.targetId === a.sourceId)).toEqual([]);
  // the dragged card is drawn above every column, under the pointer (a column clips what leaves it)
  const preview = page.getByTestId("drag-preview");
  await expect(preview).toContainText("ubuntu_fuwa_nfs_domU");
  expect(await overlap(preview, cluster.host(to))).toBe(true);
  const p = (await preview.boundingBox())!;
  expect(
    await page.evaluate(
      ([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid="drag-preview"]') !== null,
      [p.x + 10, p.y + 10],
    ),
  ).toBe(true);
  await drop();
  await expect(preview).toHaveCount(0);

  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-memory")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("check-arch")).toContainText("x86_64 with vmx");
  await expect(dialog.getByTestId("check-storage")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("check-reachable")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("check-network")).toContainText("192.168.1.0/24");
  await expect(dialog.getByTestId("check-network")).toContainText("let SSH (TCP 22) through");
  await expect(dialog.getByTestId("transport")).toContainText("over SSH");
  await expect(dialog.getByTestId("forecast")).toHaveAttribute("data-verdict", "converges");
  await expect(dialog.getByTestId("forecast-total")).toHaveText(/\d/);
  // where the target host sits on the page (not the screen: a scroll would move it too)
  const hostTop = () => cluster.host(to).evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
  const top = await hostTop();
  await dialog.getByTestId("migrate-start").click();
  await expect(dialog).toHaveCount(0);

  const jobCard = page.getByTestId("job-card-ubuntu_fuwa_nfs_domU").first(); // newest first
  await expect(jobCard.getByTestId("job-phase")).toContainText(/Pre-copy|Stop and copy|Commitment|Activation|Done/);
  // the card floats in the jobs panel: the hosts stay where they were when the operator let go
  expect(await hostTop()).toBe(top);
  await expect(jobCard.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  // this browser started it: its end is announced, and the tab's title no longer counts it
  await expect(page.getByTestId("job-notice").first()).toContainText("ubuntu_fuwa_nfs_domU: live migration succeeded");
  // the notice covers neither the card it speaks of nor the task bar
  expect(await overlap(page.getByTestId("job-notices"), page.getByTestId("job-cards"))).toBe(false);
  expect(await overlap(page.getByTestId("job-notices"), page.getByTestId("task-bar"))).toBe(false);
  await expect(page).toHaveTitle("Cluster · Ferry");
  await expect(jobCard.getByTestId("job-downtime")).toHaveText(/\d+ ms/);
  await expect(cluster.domain(to, "ubuntu_fuwa_nfs_domU")).toBeVisible();
  await expect(cluster.domain(from, "ubuntu_fuwa_nfs_domU")).toHaveCount(0);
  expect(await where("ubuntu_fuwa_nfs_domU")).toEqual([to]);
  // the panel folds to its title and opens again
  const panel = page.getByTestId("job-cards");
  await panel.getByTestId("job-panel-fold").click();
  await expect(jobCard).toHaveCount(0);
  await expect(panel.getByTestId("job-panel-title")).toHaveText(/^Jobs · \d+ ended$/);
  await panel.getByTestId("job-panel-fold").click();
  await expect(jobCard).toBeVisible();

  await jobCard.getByTestId("job-link").click();
  await expect(page.getByTestId("phase-timeline").locator('[data-phase="done"]')).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("downtime")).toHaveText(/\d+ ms/);
  await expect(page.getByTestId("bytes-chart")).toBeVisible();
  await expect(page.getByTestId("forecast-error")).toHaveText(/^\d+ %$/);
  await expect(page.getByTestId("job-log")).toContainText("Domain started successsfully.");

  await page.goto("/history?domain=ubuntu_fuwa_nfs_domU");
  const row = page.getByTestId("history-row").first();
  await expect(row).toContainText(`${from} → ${to}`);
  await expect(row.getByTestId("history-outcome")).toHaveText("succeeded");
});

test("dropping on a host without room or an unreachable host shows the failed check and starts no job", async ({
  page,
}) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  const jobsNow = async () => (await (await page.request.get("/api/jobs")).json()).jobs.length;
  await fetch(`${E2E.simControl}/hosts/hostA/memory?total=1300`, { method: "POST" }); // 276 MiB free: no room for 512 MiB
  try {
    await cluster.open();
    await page.getByTestId("refresh").click();
    await expect(cluster.host("hostA").getByTestId("memory-free")).toHaveText("276 MiB free");
    const before = await jobsNow();
    let d = await drag(page, cluster.domain("hostB", "debian_etch_domU"), cluster.host("hostA"));
    await expect(cluster.host("hostA").getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "fail");
    await expect(cluster.host("hostA").getByTestId("drop-verdict")).toContainText(
      "needs 512 MiB; hostA has 276 MiB free",
    );
    await d.drop();
    const dialog = page.getByTestId("migrate-dialog");
    await expect(dialog.getByTestId("check-memory")).toHaveAttribute("data-status", "fail");
    await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
    await dialog.getByTestId("migrate-close").click();

    await fetch(`${E2E.simControl}/hosts/hostA/stop`, { method: "POST" });
    await expect(cluster.host("hostA")).toHaveAttribute("data-status", "unreachable");
    d = await drag(page, cluster.domain("hostB", "debian_etch_domU"), cluster.host("hostA"));
    await expect(cluster.host("hostA").getByTestId("drop-verdict")).toContainText("hostA is unreachable");
    await d.drop();
    await expect(dialog.getByTestId("check-target-online")).toHaveAttribute("data-status", "fail");
    await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
    await dialog.getByTestId("migrate-close").click();

    // dropping on its own host opens nothing
    d = await drag(page, cluster.domain("hostB", "debian_etch_domU"), cluster.host("hostB"));
    await d.drop();
    await expect(dialog).toHaveCount(0);
    expect(await jobsNow()).toBe(before);
    expect(await where("debian_etch_domU")).toEqual(["hostB"]);
  } finally {
    await fetch(`${E2E.simControl}/hosts/hostA/memory?total=4096`, { method: "POST" });
    await fetch(`${E2E.simControl}/hosts/hostA/start`, { method: "POST" });
  }
});

test("the jobs API refuses an unknown domain or host with a 4xx and a message, and starts no job", async () => {
  const { apiAs } = await import("./auth");
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const b = hosts.find((h) => h.name === "hostB")!.id;
  const c = hosts.find((h) => h.name === "hostC")!.id;
  const before = (await (await api.get("/api/jobs")).json()).jobs.length;
  const unknownDomain = await api.post("/api/jobs", {
    data: { kind: "migrate", domain: "no_such_domU", sourceId: b, targetId: c },
  });
  expect(unknownDomain.status()).toBe(404);
  expect((await unknownDomain.json()).error.message).toContain("no_such_domU is not running on hostB");
  const unknownHost = await api.post("/api/jobs", {
    data: { kind: "migrate", domain: "debian_etch_domU", sourceId: b, targetId: "nope" },
  });
  expect(unknownHost.status()).toBe(404);
  expect((await unknownHost.json()).error.message).toContain("target host is not registered");
  const hostile = await api.post("/api/jobs", {
    data: { kind: "migrate", domain: "-rf;reboot", sourceId: b, targetId: c },
  });
  expect(hostile.status()).toBe(400);
  expect((await hostile.json()).error.message).toContain("A domain name uses letters, digits");
  // a target that is the source: refused, not a failed job that History would count
  const same = await api.post("/api/jobs", {
    data: { kind: "migrate", domain: "debian_etch_domU", sourceId: b, targetId: b },
  });
  expect(same.status()).toBe(400);
  expect((await same.json()).error.message).toBe("debian_etch_domU already runs on hostB.");
  expect((await (await api.get("/api/jobs")).json()).jobs.length).toBe(before);
  await api.dispose();
});

test("cancel mid-pre-copy: the domain is still on hostB", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const { drop } = await drag(page, cluster.domain("hostB", "debian_etch_domU"), cluster.host("hostC"));
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-reachable")).toHaveAttribute("data-status", "ok");
  await dialog.getByTestId("migrate-start").click();
  const jobCard = page.getByTestId("job-card-debian_etch_domU").first(); // newest first
  await expect(jobCard.getByTestId("job-phase")).toContainText("Pre-copy");
  // how long it has left, from the forecast at launch and the progress so far
  await expect(jobCard.getByTestId("job-remaining")).toContainText(/about .+ left|finishing/);
  await jobCard.getByTestId("job-cancel").click();
  await expect(jobCard.getByTestId("job-status")).toHaveAttribute("data-status", "cancelled");
  await expect(jobCard.getByTestId("job-location")).toContainText("runs on hostB");
  expect(await where("debian_etch_domU")).toEqual(["hostB"]);
  await expect(cluster.domain("hostB", "debian_etch_domU")).toBeVisible();
});

test("two tabs, one domain: the later Migrate is refused with the earlier job linked, and its checks say so", async ({
  page,
}) => {
  const { apiAs } = await import("./auth");
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const { drop } = await drag(page, cluster.domain("hostB", "debian_etch_domU"), cluster.host("hostC"));
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-no-other-job")).toHaveAttribute("data-status", "ok");
  // the other tab starts the same move first
  const api = await apiAs("operator");
  const first = await startMigration(api, "debian_etch_domU", "hostB", "hostC");
  await dialog.getByTestId("migrate-start").click();
  await expect(dialog.getByTestId("migrate-error")).toContainText(
    "live migration of debian_etch_domU (hostB → hostC) is still working on it",
  );
  await expect(dialog.getByTestId("migrate-error-job")).toHaveAttribute("href", `/jobs/${first.id}`);
  // the checks were asked again: they name the job too, and Migrate waits
  await expect(dialog.getByTestId("check-no-other-job")).toHaveAttribute("data-status", "fail");
  await expect(dialog.getByTestId("check-no-other-job-job")).toHaveAttribute("href", `/jobs/${first.id}`);
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("migrate-close").click();
  await cancelAndPutBack(api, first.id, "debian_etch_domU", "hostB");
  await api.dispose();
});

test("keyboard dragging: Space picks a domain up, arrows carry it to hostC, Space drops it and the dialog opens", async ({
  page,
}) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const card = cluster.domain("hostB", "debian_etch_domU"); // ubuntu moved to hostC in the first test
  await card.focus();
  await page.keyboard.press("Space");
  const from = (await card.boundingBox())!;
  const to = (await cluster.host("hostC").boundingBox())!;
  for (let x = from.x; x < to.x + 40; x += 25) await page.keyboard.press("ArrowRight");
  await expect(cluster.host("hostC").getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "ok");
  await page.keyboard.press("Space");
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog).toContainText("hostB → hostC");
  // once the checks are in, focus is on Migrate — not on the move that stops the guest
  await expect(dialog.getByTestId("migrate-start")).toBeFocused();
  // the dialog takes focus, keeps Tab inside, closes on Escape and gives focus back to the card
  const focusInDialog = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="migrate-dialog"]'));
  await expect.poll(focusInDialog).toBe(true);
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInDialog()).toBe(true);
  }
  await expect(page.getByRole("dialog", { name: "Migrate debian_etch_domU" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(card).toBeFocused();
  expect(await where("debian_etch_domU")).toEqual(["hostB"]);
});

test("a browser that reconnects catches up from its last seq; History exports CSV", async ({ page }) => {
  const { apiAs } = await import("./auth");
  const { io } = await import("socket.io-client");
  const api = await apiAs("viewer");
  const { jobs } = await (await api.get("/api/jobs?status=succeeded")).json();
  expect(jobs.length).toBeGreaterThan(0);
  const jobId = jobs[0].id as string;
  const all = (await (await api.get(`/api/jobs/${jobId}`)).json()).events as { seq: number }[];
  const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const sock = io(E2E.baseURL, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
  const reply = await sock.timeout(10_000).emitWithAck("job:subscribe", { jobId, afterSeq: 3 });
  sock.close();
  expect(reply.ok).toBe(true);
  expect(reply.value.events.map((e: { seq: number }) => e.seq)).toEqual(all.filter((e) => e.seq > 3).map((e) => e.seq));

  const csv = await api.get("/api/jobs?format=csv&status=succeeded");
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text.split("\r\n")[0]).toContain("downtime_ms");
  expect(text).toContain(jobId);
  await api.dispose();

  await loginAs(page, "viewer", "/history");
  await page.goto("/history?sort=downtime&dir=asc");
  await expect(page.getByTestId("history-figures")).toContainText("Success rate");
  await page.goto("/history?from=2026-02-31");
  await expect(page.getByTestId("history-error")).toHaveText("From: Dates are real days written like 2026-11-25.");
  // the refused filter shows what was typed, and no figures or "no jobs" of a query that did not run
  await expect(page.getByTestId("history-from")).toHaveValue("2026-02-31");
  await expect(page.getByTestId("history-figures")).toHaveCount(0);
  await expect(page.getByTestId("history-empty")).toHaveCount(0);
});

test("the compact table moves a domain too: Move to… opens the same checks and dialog as a drop", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await page.getByTestId("view-table").click();
  const row = page.getByTestId("row-debian_etch_domU");
  // only hosts of its own toolstack are offered
  await expect(row.getByTestId("row-move").locator("option")).toHaveText(["Move to…", "hostA", "hostC"]);
  await row.getByTestId("row-move").selectOption({ label: "hostC" });
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog).toContainText("hostB → hostC");
  await expect(dialog.getByTestId("check-reachable")).toHaveAttribute("data-status", "ok");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await page.getByTestId("view-cards").click();
  expect(await where("debian_etch_domU")).toEqual(["hostB"]);
});
