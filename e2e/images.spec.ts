import { type APIResponse, expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { apiAs, loginAs } from "./auth";
import { E2E } from "./env";

async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

test("save a domain from the Cluster page, find it in the catalog with its size, restore it on another host", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const home = (await where("ubuntu_fuwa_nfs_domU"))[0];
  const other = home === "hostC" ? "hostB" : "hostC";
  await cluster.domain(home, "ubuntu_fuwa_nfs_domU").getByTestId("domain-save").click();
  const dialog = page.getByTestId("save-dialog");
  await dialog.getByTestId("save-dir").selectOption("/xen-storage/saves");
  await dialog.getByTestId("save-start").click();
  const card = page.locator(`[data-testid="job-card-ubuntu_fuwa_nfs_domU"][data-kind="save"]`).first(); // newest save, not a migration
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(cluster.domain(home, "ubuntu_fuwa_nfs_domU")).toHaveCount(0);
  expect(await where("ubuntu_fuwa_nfs_domU")).toEqual([]);

  await page.goto("/images");
  const row = page.getByTestId("image-ubuntu_fuwa_nfs_domU").first();
  await expect(row.getByTestId("image-size")).toHaveText("256 MiB");
  await expect(row.getByTestId("image-integrity")).toHaveText("verified");
  await expect(row).toContainText("mode 600");
  await expect(row).toContainText("shared storage /xen-storage/saves/"); // one place, whichever host saved it
  await expect(row.getByTestId("image-format")).toContainText("xl (Xen) image, x86_64");

  await row.getByTestId("image-restore").click();
  const rd = page.getByTestId("restore-dialog");
  // an xl image: the KVM hosts are not offered (their toolstack cannot read it)
  await expect(rd.getByTestId("restore-target").locator("option", { hasText: "kvmA" })).toHaveCount(0);
  await expect(rd.getByTestId("restore-target").locator("option", { hasText: "hostB" })).toHaveCount(1);
  const targetId = await rd.getByTestId("restore-target").locator("option", { hasText: other }).getAttribute("value");
  await rd.getByTestId("restore-target").selectOption(targetId!);
  await rd.getByTestId("restore-check").click();
  await expect(rd.getByTestId("rcheck-checksum")).toHaveAttribute("data-status", "ok");
  await expect(rd.getByTestId("rcheck-not-running")).toHaveAttribute("data-status", "ok");
  await rd.getByTestId("restore-start").click();
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(page.getByTestId("job-location")).toContainText(`xl console ubuntu_fuwa_nfs_domU`);
  // a restore's own figures: nothing was "sent" over a NIC, and there is no bytes chart to show
  await expect(page.getByTestId("job-figures")).toContainText("Memory to load");
  await expect(page.getByTestId("job-figures")).not.toContainText("Sent");
  await expect(page.getByTestId("job-figures")).not.toContainText("NIC");
  await expect(page.getByTestId("bytes-chart-section")).toHaveCount(0);
  expect(await where("ubuntu_fuwa_nfs_domU")).toEqual([other]);
  await cluster.open();
  await expect(cluster.domain(other, "ubuntu_fuwa_nfs_domU")).toBeVisible();
});

test("an image the domain has run past: the page says so, its restore is refused with the reason until the operator ticks that the disks changed, and the tick is audited", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const operator = await apiAs("operator");
  const hosts = (await (await operator.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const idOf = (n: string) => hosts.find((h) => h.name === n)!.id;
  const finished = async (res: APIResponse) => {
    expect(res.status(), await res.text()).toBe(200);
    const id = (await res.json()).job.id as string;
    await expect
      .poll(async () => (await (await operator.get(`/api/jobs/${id}`)).json()).job.status, { timeout: 60_000 })
      .toMatch(/^(succeeded|failed|interrupted)$/);
    return (await (await operator.get(`/api/jobs/${id}`)).json()).job as {
      id: string;
      status: string;
      imagePath: string;
    };
  };
  const domain = "debian_etch_domU";
  // everything happens on the domain's own host, where it ends too: the specs after this one find it where it was
  const home = (await where(domain))[0];
  const save = async () => {
    const on = home;
    await expect
      .poll(async () =>
        ((await (await operator.get("/api/hosts")).json()).hosts as { name: string; domains: { name: string }[] }[])
          .find((h) => h.name === on)
          ?.domains.some((d) => d.name === domain),
      )
      .toBe(true);
    return finished(
      await operator.post("/api/jobs", { data: { kind: "save", domain, hostId: idOf(on), dir: "/xen-storage/saves" } }),
    );
  };
  // image A, restored once (the domain runs on from it), then saved again: image B
  const a = await save();
  expect(a.status).toBe("succeeded");
  const images = async () =>
    (await (await operator.get("/api/images")).json()).images as { id: string; path: string }[];
  const imageA = (await images()).find((i) => i.path === a.imagePath)!;
  const first = await finished(
    await operator.post("/api/jobs", { data: { kind: "restore", imageId: imageA.id, targetId: idOf(home) } }),
  );
  expect(first.status).toBe("succeeded");
  const b = await save();
  expect(b.status).toBe("succeeded");

  await loginAs(page, "operator", "/images");
  const rowA = page.locator(`[data-testid="image-${domain}"]`, { hasText: a.imagePath });
  await expect(rowA.getByTestId("image-restored")).toContainText(`by job ${first.id}`);
  await expect(rowA.getByTestId("image-superseded")).toContainText(b.imagePath);
  await rowA.getByTestId("image-restore").click();
  const rd = page.getByTestId("restore-dialog");
  const homeId = await rd.getByTestId("restore-target").locator("option", { hasText: home }).getAttribute("value");
  await rd.getByTestId("restore-target").selectOption(homeId!);
  await rd.getByTestId("restore-check").click();
  await expect(rd.getByTestId("rcheck-fresh")).toHaveAttribute("data-status", "fail");
  await expect(rd.getByTestId("rcheck-fresh")).toContainText(`restored from it at`);
  await expect(rd.getByTestId("rcheck-fresh")).toContainText(b.imagePath);
  await expect(rd.getByTestId("restore-start")).toBeDisabled();
  await page.screenshot({ path: "test-results/restore-stale.png" });
  // the tick: the check warns, Restore is allowed, and the restore runs
  await rd.getByTestId("restore-ack-stale").check();
  await expect(rd.getByTestId("rcheck-fresh")).toHaveAttribute("data-status", "warn");
  await expect(rd.getByTestId("restore-start")).toBeEnabled();
  await rd.getByTestId("restore-start").click();
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  expect(await where(domain)).toEqual([home]);
  // the acknowledgement is in the audit log, with the job
  const admin = await apiAs("admin");
  const entries = (await (await admin.get(`/api/audit?action=job.start&limit=20`)).json()).entries as {
    target: string;
    detail: { kind?: string; acknowledgedStale?: boolean } | null;
  }[];
  expect(entries.find((e) => e.target === domain && e.detail?.kind === "restore")?.detail?.acknowledgedStale).toBe(
    true,
  );
  await admin.dispose();
  await operator.dispose();
});

test("bad save and restore requests get a clear error and change nothing", async () => {
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as {
    id: string;
    name: string;
    domains: { name: string }[];
  }[];
  const b = hosts.find((h) => h.domains.some((d) => d.name === "debian_etch_domU"))!;
  const before = (await (await api.get("/api/jobs")).json()).jobs.length;
  for (const [dir, message] of [
    ["relative/dir", "An image path is absolute"],
    ["/xen-saved-images/../etc", "An image path is absolute"],
    ["/tmp;reboot", "An image path is absolute"],
    ["/etc", "image directories"],
  ]) {
    const res = await api.post("/api/jobs", { data: { kind: "save", domain: "debian_etch_domU", hostId: b.id, dir } });
    expect(res.status(), dir).toBe(400);
    expect((await res.json()).error.message, dir).toContain(message);
  }
  const missing = await api.post("/api/jobs", { data: { kind: "restore", imageId: "no-such-image", targetId: b.id } });
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error.message).toContain("No such image");
  // the acknowledgement of a stale image is a yes or a no, on the restore and on its checks
  for (const url of ["/api/jobs", "/api/checks/restore"]) {
    const res = await api.post(url, {
      data: {
        ...(url === "/api/jobs" ? { kind: "restore" } : {}),
        imageId: "x",
        targetId: b.id,
        acknowledgeStale: "yes",
      },
    });
    expect(res.status(), url).toBe(400);
    expect((await res.json()).error.message, url).toContain("acknowledgeStale is true or false");
  }
  expect((await (await api.get("/api/jobs")).json()).jobs.length).toBe(before);
  expect(await where("debian_etch_domU")).toEqual([b.name]);
  await api.dispose();
});

test("the save dialog proposes a private directory, and refuses one readable by others before anything starts", async ({
  page,
}) => {
  // a domain of its own on hostB, whose image directory the demo leaves world-readable (the guide's warning)
  await fetch(`${E2E.simControl}/test-domain`, {
    method: "POST",
    body: JSON.stringify({ host: "hostB", name: "save_probe_domU", memoryMiB: 128, wwsMiB: 4, dirtyMiBps: 1 }),
  });
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.domain("hostB", "save_probe_domU").getByTestId("domain-save").click();
  const dialog = page.getByTestId("save-dialog");
  await expect(dialog.getByTestId("save-dir")).toHaveValue("/xen-storage/saves"); // not hostB's own, readable one
  await expect(dialog.getByTestId("save-start")).toBeEnabled();
  await dialog.getByTestId("save-dir").selectOption("/xen-saved-images");
  await expect(dialog.getByTestId("save-refused")).toContainText("readable by others");
  await expect(dialog.getByTestId("save-start")).toBeDisabled();
  await dialog.getByRole("button", { name: "Close" }).click();
  expect(await where("save_probe_domU")).toEqual(["hostB"]); // nothing was started
});

test("retention: each directory's total; a rule keeps a domain's newest image, lists the older ones, deletes them only when confirmed", async ({
  page,
}) => {
  // the test above left two images of debian_etch_domU on shared storage (a restored one, and a later one)
  const domain = "debian_etch_domU";
  const operator = await apiAs("operator");
  const before = (
    (await (await operator.get("/api/images")).json()).images as {
      id: string;
      domainName: string;
      path: string;
      createdAt: string;
    }[]
  )
    .filter((i) => i.domainName === domain)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  expect(before.length).toBeGreaterThanOrEqual(2);
  await loginAs(page, "operator");
  await page.goto("/images");
  const panel = page.getByTestId("retention");
  await expect(panel.getByTestId("place-totals")).toContainText("shared storage: /xen-storage/saves:");
  // bad input: said beside the field, nothing added
  await panel.getByTestId("ret-scope").selectOption("domain");
  await panel.getByTestId("ret-value").fill(domain);
  await panel.getByTestId("ret-keepLast").fill("0");
  await panel.getByTestId("ret-add").click();
  await expect(panel.getByTestId("ret-problem-keepLast")).toHaveText(
    "Keep at least 1 image: the newest is never deleted by a rule.",
  );
  await expect(panel.getByTestId("ret-rule")).toHaveCount(0);
  await panel.getByTestId("ret-keepLast").fill("1");
  await panel.getByTestId("ret-add").click();
  await expect(panel.getByTestId("ret-rule")).toContainText(`domain ${domain}: keep each domain's newest 1`);
  // the list: every older image of the domain, none deleted yet; the newest is kept
  const doomed = panel.getByTestId("ret-doomed");
  await expect(doomed.locator("li")).toHaveCount(before.length - 1);
  await expect(panel.getByTestId(`ret-doomed-${before[0].id}`)).toHaveCount(0);
  expect((await (await operator.get("/api/images")).json()).images.length).toBeGreaterThanOrEqual(before.length);
  // a list that is not the one the rules propose is refused, and deletes nothing
  const stale = await operator.post("/api/images/retention/apply", { data: { expect: [before[0].id] } });
  expect(stale.status()).toBe(409);
  // confirmed: the files go (the hosts are asked to remove them), the newest stays
  const since = Date.now();
  await doomed.getByTestId("ret-apply").click();
  await page.getByTestId("ret-confirm").getByTestId("ret-confirm-yes").click();
  await expect(page.getByTestId("images-notice")).toHaveText(
    `Deleted ${before.length - 1} image${before.length - 1 === 1 ? "" : "s"}.`,
  );
  const after = (
    (await (await operator.get("/api/images")).json()).images as { id: string; domainName: string }[]
  ).filter((i) => i.domainName === domain);
  expect(after.map((i) => i.id)).toEqual([before[0].id]);
  const removed = ((await (await fetch(`${E2E.simControl}/commands?since=${since}`)).json()) as { argv: string[] }[])
    .map((c) => c.argv.join(" "))
    .filter((c) => c.startsWith("rm "));
  for (const old of before.slice(1)) expect(removed.some((c) => c.includes(old.path))).toBe(true);
  // the rule goes; the audit log says who did what
  await panel.getByTestId("ret-rule-remove").click();
  await expect(panel.getByTestId("ret-rule")).toHaveCount(0);
  const admin = await apiAs("admin");
  const actions = ((await (await admin.get("/api/audit?limit=10")).json()).entries as { action: string }[]).map(
    (e) => e.action,
  );
  expect(actions).toEqual(
    expect.arrayContaining(["image.retention.apply", "image.retention.rule.add", "image.retention.rule.remove"]),
  );
  await admin.dispose();
  await operator.dispose();
});
