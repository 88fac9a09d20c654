import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { apiAs, loginAs } from "./auth";
import { E2E } from "./env";
import { drag } from "./drag";

// The demo's libvirt/KVM hosts beside the Xen ones: a move between toolstacks is refused while hovering,
// a KVM live migration shows QEMU's rounds and downtime, and a guest that does not converge is said to,
// with the help libvirt allows one click away.

async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}
const timeScale = (v: number) => fetch(`${E2E.simControl}/time-scale?value=${v}`, { method: "POST" });

test("a KVM guest cannot go to a Xen host: the hovered host says why before the drop", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await expect(cluster.host("kvmA").getByTestId("host-toolstack")).toContainText("virsh");
  const { drop } = await drag(page, cluster.domain("kvmA", "web-kvm"), cluster.host("hostC"));
  const verdict = cluster.host("hostC").getByTestId("drop-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", "fail");
  await expect(verdict).toContainText("kvmA uses virsh, hostC uses xl");
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-toolstack")).toHaveAttribute("data-status", "fail");
  await expect(dialog.getByTestId("check-toolstack")).toContainText(
    "kvmA uses virsh, hostC uses xl: a domain cannot move between toolstacks.",
  );
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("migrate-close").click();
  expect(await where("web-kvm")).toEqual(["kvmA"]);
});

test("a name kvmA lists twice: its column says so, a drag is refused before the drop, and nothing starts", async ({
  page,
}) => {
  // a broken host's picture (real libvirt keeps one domain per name): two rows named twin-kvm, made for this test
  const twin = () =>
    fetch(`${E2E.simControl}/test-domain`, {
      method: "POST",
      body: JSON.stringify({ host: "kvmA", name: "twin-kvm", memoryMiB: 256, wwsMiB: 4, dirtyMiBps: 1 }),
    });
  await twin();
  await twin();
  try {
    await loginAs(page, "operator");
    const cluster = new ClusterPage(page);
    await cluster.open();
    const problem = "kvmA lists twin-kvm 2 times";
    await expect(cluster.host("kvmA").getByTestId("host-problems")).toContainText(problem);
    await expect(cluster.domain("kvmA", "twin-kvm")).toHaveCount(2);
    const { drop } = await drag(page, cluster.domain("kvmA", "twin-kvm").first(), cluster.host("kvmB"));
    const verdict = cluster.host("kvmB").getByTestId("drop-verdict");
    await expect(verdict).toHaveAttribute("data-verdict", "fail");
    await expect(verdict).toContainText(`${problem} (`);
    await drop();
    const dialog = page.getByTestId("migrate-dialog");
    await expect(dialog.getByTestId("migrate-error")).toContainText("one name for 2 domains");
    await expect(dialog.getByTestId("checks")).toHaveText("The checks could not run:");
    await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
    await dialog.getByTestId("migrate-close").click();
    // the API refuses it too, with the same sentence, and starts nothing
    const api = await apiAs("operator");
    const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
    const idOf = (n: string) => hosts.find((h) => h.name === n)!.id;
    const before = (await (await api.get("/api/jobs")).json()).jobs.length;
    const res = await api.post("/api/jobs", {
      data: { kind: "migrate", domain: "twin-kvm", sourceId: idOf("kvmA"), targetId: idOf("kvmB") },
    });
    expect(res.status()).toBe(409);
    expect((await res.json()).error.message).toContain(problem);
    expect((await (await api.get("/api/jobs")).json()).jobs.length).toBe(before);
    expect(await where("twin-kvm")).toEqual(["kvmA"]);
    await api.dispose();
  } finally {
    await fetch(`${E2E.simControl}/test-domain?host=kvmA&name=twin-kvm`, { method: "DELETE" });
  }
});

test("drag a KVM guest kvmA → kvmB: libvirt's options, QEMU's forecast, rounds and downtime", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const { drop } = await drag(page, cluster.domain("kvmA", "web-kvm"), cluster.host("kvmB"));
  await expect(cluster.host("kvmB").getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "ok");
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-storage")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("libvirt-options")).toBeVisible();
  await expect(dialog.getByTestId("forecast")).toContainText("maximum downtime");
  await expect(dialog.getByTestId("forecast")).toContainText("virsh domdirtyrate-calc");
  // a wrong number is said beside its field as it is typed, and Migrate waits for a right one
  await dialog.getByTestId("opt-downtime").fill("-5");
  await expect(dialog.getByTestId("opt-problem-maxDowntimeMs")).toHaveText("The maximum downtime is at least 1 ms.");
  await expect(dialog.getByTestId("opt-downtime")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("opt-downtime").fill("500");
  await expect(dialog.getByTestId("opt-problem-maxDowntimeMs")).toHaveCount(0);
  await dialog.getByTestId("migrate-start").click();
  const card = page.locator('[data-testid="job-card-web-kvm"][data-kind="migrate"]').first();
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  expect(await where("web-kvm")).toEqual(["kvmB"]);
  await card.getByTestId("job-link").click();
  await expect(page.getByTestId("rounds-total")).toHaveText(/^[1-9]\d*$/);
  await expect(page.getByTestId("qemu-downtime")).toHaveText(/\d+ ms/);
  await expect(page.getByTestId("downtime")).toHaveText(await page.getByTestId("qemu-downtime").innerText());
  await expect(page.getByTestId("job-log")).toContainText("maximum downtime set to 500 ms");
});

test("a guest that converges only with help: the dialog chooses the help, and without it asks for a tick", async ({
  page,
}) => {
  expect(await where("build-kvm")).toEqual(["kvmA"]);
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const { drop } = await drag(page, cluster.domain("kvmA", "build-kvm"), cluster.host("kvmB"));
  await expect(cluster.host("kvmB").getByTestId("drop-verdict")).not.toHaveAttribute("data-verdict", "checking");
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  // the forecast's help is chosen for the operator, and the forecast follows it
  await expect(dialog.getByTestId("opt-autoconverge")).toBeChecked();
  await expect(dialog.getByTestId("help-chosen")).toContainText("auto-converge");
  await expect(dialog.getByTestId("forecast")).not.toHaveAttribute("data-verdict", "converges-with-help");
  // without it: "converges only with help" is a warning, and Migrate waits for the tick
  // (the note stays once the forecast that assumes the help is in)
  await expect(dialog.getByTestId("forecast")).toHaveAttribute("data-verdict", /^(converges|may-not-converge)$/);
  await expect(dialog.getByTestId("help-chosen")).toContainText("auto-converge");
  await dialog.getByTestId("opt-autoconverge").uncheck();
  await expect(dialog.getByTestId("help-chosen")).toHaveCount(0);
  await expect(dialog.getByTestId("forecast")).toHaveAttribute("data-verdict", "converges-with-help");
  await expect(dialog.getByTestId("check-forecast")).toHaveAttribute("data-status", "warn");
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("confirm-warnings").check();
  await expect(dialog.getByTestId("migrate-start")).toBeEnabled();
  // the stall policy: post-copy only when allowed
  await expect(dialog.getByTestId("opt-stall-action").locator('option[value="postcopy"]')).toBeDisabled();
  await dialog.getByTestId("opt-postcopy").check();
  await expect(dialog.getByTestId("opt-stall-action").locator('option[value="postcopy"]')).toBeEnabled();
  await dialog.getByTestId("opt-stall-after").fill("5");
  await expect(dialog.getByTestId("opt-problem-stallAfterSec")).toHaveText("The stall time is at least 10 s.");
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("migrate-close").click();
  expect(await where("build-kvm")).toEqual(["kvmA"]);
});

test("a KVM guest that dirties faster than the link: the job page says it is not converging; raising the maximum downtime finishes it", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await timeScale(5);
  try {
    await loginAs(page, "operator");
    const api = await apiAs("operator");
    const hosts: { id: string; name: string }[] = (await (await api.get("/api/hosts")).json()).hosts;
    const idOf = (n: string) => hosts.find((h) => h.name === n)!.id;
    const from = (await where("build-kvm"))[0];
    const to = from === "kvmA" ? "kvmB" : "kvmA";
    const res = await api.post("/api/jobs", {
      data: { kind: "migrate", domain: "build-kvm", sourceId: idOf(from), targetId: idOf(to), confirmWarnings: true },
    });
    expect(res.status()).toBe(200);
    const { job } = await res.json();
    await page.goto(`/jobs/${job.id}`);
    const banner = page.getByTestId("convergence");
    await expect(banner).toHaveAttribute("data-state", "not-converging", { timeout: 60_000 });
    await expect(banner).toContainText("The guest dirties 400 MiB/s");
    // no "about … left" beside "not converging": it ends when something changes
    await expect(page.getByTestId("job-remaining")).toHaveCount(0);
    await page.getByTestId("tune-downtime-apply").click();
    await expect(page.getByTestId("tune-message")).toContainText("Maximum downtime raised");
    await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    expect(await where("build-kvm")).toEqual([to]);
    await expect(page.getByTestId("job-log")).toContainText("virsh migrate-setmaxdowntime build-kvm");
    // bad changes are refused with a message and change nothing; a finished job cannot be tuned
    const bad = await api.post(`/api/jobs/${job.id}/tune`, { data: { maxDowntimeMs: -5 } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.message).toBe("The maximum downtime is at least 1 ms.");
    const junk = await api.post(`/api/jobs/${job.id}/tune`, { data: { command: "$(reboot)" } });
    expect(junk.status()).toBe(400);
    expect((await junk.json()).error.message).toMatch(/Send one of: maxDowntimeMs/);
    const late = await api.post(`/api/jobs/${job.id}/tune`, { data: { maxDowntimeMs: 500 } });
    expect(late.status()).toBe(409);
    expect((await late.json()).error.message).toBe("Only a running migration can be tuned.");
  } finally {
    await timeScale(1);
  }
});
