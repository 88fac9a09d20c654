import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { hostIds, startMigration, waitFinal, whereRuns } from "./jobs-api";

// Several domains moved together: selected on the Cluster page (cards or table), planned — where each goes, each
// move's forecast, what cannot go — before anything runs, then run and followed on their board. Where each domain
// runs afterwards is asked of the simulated hosts.

const GUESTS = ["debian_etch_domU", "ubuntu_fuwa_nfs_domU"];
const axe = async (page: Page) =>
  (await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze()).violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );

test("select two domains, read the plan to one host, run it: both run there, once", async ({ page }) => {
  const home = (await whereRuns(GUESTS[0]))[0];
  expect(await whereRuns(GUESTS[1])).toEqual([home]);
  const to = home === "hostC" ? "hostB" : "hostC";
  await loginAs(page, "operator");
  await page.goto("/");
  const column = page.getByTestId(`host-${home}`);
  for (const g of GUESTS) await column.getByTestId(`domain-${g}`).getByTestId("domain-select").check();
  const bar = page.getByTestId("selection-bar");
  await expect(bar.getByTestId("selection-words")).toHaveText(`2 domains selected (768 MiB) on ${home}`);
  await bar.getByTestId("selection-target").selectOption({ label: to });
  await bar.getByTestId("selection-plan").click();
  const dialog = page.getByTestId("group-move-dialog");
  await expect(dialog).toHaveAttribute("data-state", "planned", { timeout: 30_000 });
  await expect(dialog.getByRole("heading")).toHaveText(`Move 2 domains to ${to}`);
  for (const g of GUESTS) await expect(dialog.getByTestId(`plan-move-${g}`)).toHaveAttribute("data-target", to);
  await expect(dialog.getByTestId("plan-summary")).toContainText("2 domains move");
  expect(await axe(page)).toEqual([]);
  // nothing moved while the plan was read
  for (const g of GUESTS) expect(await whereRuns(g)).toEqual([home]);
  await dialog.getByTestId("plan-run").click();
  await expect(page).toHaveURL(/\/group-moves\//);
  const board = page.getByTestId("board");
  await expect(board).toContainText(`Group move to ${to}`);
  await expect(board).toHaveAttribute("data-status", "finished", { timeout: 60_000 });
  for (const g of GUESTS) {
    await expect(board.getByTestId(`board-move-${g}`)).toHaveAttribute("data-state", "succeeded");
    expect(await whereRuns(g)).toEqual([to]);
  }
  expect(await axe(page)).toEqual([]);
  // back where the next specs expect them
  const api = await apiAs("operator");
  for (const g of GUESTS) expect(await waitFinal(api, (await startMigration(api, g, to, home)).id)).toBe("succeeded");
  await api.dispose();
});

test("the table selects every running domain Find shows; anywhere-that-fits says what cannot go and why", async ({
  page,
}) => {
  // at a phone's width, in dark: the bar and the plan fit the screen and pass axe
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await loginAs(page, "operator");
  await page.goto("/");
  await page.getByTestId("view-table").click();
  await page.getByTestId("find-text").fill("kvm");
  const table = page.getByTestId("domain-table");
  // the KVM hosts' domains: web-kvm and build-kvm run; win-test is shut off and has no box to tick
  await expect(table).toHaveAttribute("data-rows", "3");
  await expect(table.getByTestId("row-win-test").getByTestId("row-select")).toHaveCount(0);
  await table.getByTestId("select-all").check();
  await expect(page.getByTestId("selection-words")).toHaveText("2 domains selected (3 GiB) on kvmA");
  await page.getByTestId("selection-plan").click();
  const dialog = page.getByTestId("group-move-dialog");
  await expect(dialog).toHaveAttribute("data-state", "planned", { timeout: 30_000 });
  await expect(dialog.getByRole("heading")).toHaveText("Move 2 domains to anywhere that fits");
  await expect(dialog.getByTestId("plan-move-web-kvm")).toHaveAttribute("data-target", "kvmB");
  // build-kvm dirties memory faster than the link carries it: it cannot go live, and the plan says so
  await expect(dialog.getByTestId("plan-left-build-kvm")).toContainText("build-kvm");
  expect(await axe(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  // focus goes back to where the plan was asked for
  await expect(page.getByTestId("selection-plan")).toBeFocused();
  expect(await whereRuns("web-kvm")).toEqual(["kvmA"]);
  await page.getByTestId("selection-clear").click();
  await expect(page.getByTestId("selection-bar")).toHaveCount(0);
  await page.getByTestId("view-cards").click();
});

test("bad group requests are refused in words and start nothing; a viewer cannot plan one", async () => {
  const api = await apiAs("operator");
  const ids = await hostIds(api);
  const refused = async (body: unknown, sentence: string) => {
    const r = await api.post("/api/group-moves/plan", { data: body });
    expect(r.status()).toBe(400);
    expect((await r.json()).error.message).toContain(sentence);
  };
  await refused({ domains: [] }, "Select at least one domain.");
  await refused(
    {
      domains: [
        { domain: "web-kvm", hostId: ids.kvmA },
        { domain: "web-kvm", hostId: ids.kvmB },
      ],
    },
    "share a name",
  );
  const unknownHost = await api.post("/api/group-moves/plan", {
    data: { domains: [{ domain: "web-kvm", hostId: ids.kvmA }], targetId: "nohost" },
  });
  expect(unknownHost.status()).toBe(404);
  const nothing = await api.post("/api/group-moves", {
    data: { domains: [{ domain: "web-kvm", hostId: ids.kvmA }], targetId: ids.kvmA, expect: [] },
  });
  expect(nothing.status()).toBe(400);
  expect((await nothing.json()).error.message).toBe("The plan has nothing to move.");
  await api.dispose();
  const viewer = await apiAs("viewer");
  expect((await viewer.post("/api/group-moves/plan", { data: { domains: [] } })).status()).toBe(403);
  await viewer.dispose();
});
