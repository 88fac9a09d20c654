import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { loginAs } from "./auth";
import { E2E } from "./env";
import { drag } from "./drag";

// Legacy Xen hosts driven by xm and xend (the guide's own commands): the relocation transport told plainly and
// ticked, Xen's own pre-copy rounds from xend.log on the job page, and xend's hosts-allow shown while hovering.

const DOM = "sles11_domU";
async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

test("drag a domain between the xm pair: the transport warning needs a tick, Xen's rounds arrive, the downtime shows", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await expect(cluster.host("xmA").getByTestId("host-toolstack")).toHaveText("xm · Xen 4.1.6");
  expect(await where(DOM)).toEqual(["xmA"]);
  const { drop } = await drag(page, cluster.domain("xmA", DOM), cluster.host("xmB"));
  await expect(cluster.host("xmB").getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "warn");
  await drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-relocation")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("check-relocation-allow")).toContainText("'^192\\.168\\.1\\.72$'");
  await expect(dialog.getByTestId("check-relocation-port")).toHaveAttribute("data-status", "ok");
  // the guide's network precondition: xend's bridge (named after the NIC) on both, one subnet
  await expect(dialog.getByTestId("check-network")).toHaveAttribute("data-status", "ok");
  await expect(dialog.getByTestId("check-network")).toContainText("on eth0, which xmB has");
  await expect(dialog.getByTestId("check-transport")).toHaveAttribute("data-status", "warn");
  await expect(dialog.getByTestId("check-transport")).toContainText("unauthenticated and unencrypted");
  await expect(dialog.getByTestId("transport")).toContainText("relocation server");
  // the guide's warning needs a tick before anything moves
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("confirm-warnings").check();
  await dialog.getByTestId("migrate-start").click();
  await expect(dialog).toHaveCount(0);

  const card = page.getByTestId(`job-card-${DOM}`).first();
  await card.getByTestId("job-link").click();
  await expect(page.getByTestId("rounds-source")).toContainText("Xen's libxc, from xend.log");
  // rounds arrive while it runs, one per record xend writes
  await expect.poll(async () => page.getByTestId("rounds-row").count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("rounds-row").first()).toContainText(/^1\d+/);
  // each round's share of memory: round 1 sends about all of it, the next far less (not libxc's scan 95 % each)
  const shares = await page.getByTestId("rounds-row-share").allInnerTexts();
  expect(Number.parseFloat(shares[0])).toBeGreaterThan(80);
  expect(Number.parseFloat(shares[1])).toBeLessThan(Number.parseFloat(shares[0]));
  await expect(page.getByTestId("downtime")).toHaveText(/\d+ ms/);
  expect(await where(DOM)).toEqual(["xmB"]);
});

test("while hovering, a target whose hosts-allow does not admit the source says so, and nothing starts", async ({
  page,
}) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const jobs = async () => (await (await page.request.get("/api/jobs")).json()).jobs.length;
  const before = await jobs();
  const d = await drag(page, cluster.domain("xmB", DOM), cluster.host("xmA"));
  const verdict = cluster.host("xmA").getByTestId("drop-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", "fail");
  await expect(verdict).toContainText("xend-relocation-hosts-allow");
  await d.drop();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("check-relocation-allow")).toContainText("^localhost$");
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("migrate-close").click();
  expect(await jobs()).toBe(before);
  expect(await where(DOM)).toEqual(["xmB"]);
});
