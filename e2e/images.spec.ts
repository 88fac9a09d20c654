import { expect, test } from "@playwright/test";
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
