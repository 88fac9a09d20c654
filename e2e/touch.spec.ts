import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { overlap } from "./boxes";
import { hostIds, startMigration, waitFinal, whereRuns } from "./jobs-api";
import { ClusterPage } from "./pages/cluster-page";

// On a phone a swipe that starts on a domain card scrolls the page; a press-and-hold picks the card up.
// Touches go through Chromium's DevTools protocol (real touch events, as a finger makes them).

test.use({ viewport: { width: 390, height: 740 }, hasTouch: true, isMobile: true });

test("a swipe on a card scrolls the page; a press-and-hold starts a drag", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  const card = page.locator('[data-testid^="domain-"][data-drag-ready]').first();
  await card.scrollIntoViewIfNeeded();
  const box = (await card.boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) =>
    cdp.send("Input.dispatchTouchEvent", {
      type,
      touchPoints: type === "touchEnd" ? [] : [{ x, y }],
    });
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;

  const before = await page.evaluate(() => window.scrollY);
  await touch("touchStart", x, y);
  for (let i = 1; i <= 10; i++) await touch("touchMove", x, y - i * 25);
  await touch("touchEnd", x, y - 250);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(before);
  await expect(page.getByTestId("drag-preview")).toHaveCount(0);
  // the fling's momentum ends before the next gesture (a card still gliding is not where a finger lands)
  await expect
    .poll(async () => {
      const a = await page.evaluate(() => window.scrollY);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return a === (await page.evaluate(() => window.scrollY));
    })
    .toBe(true);

  // press and hold (the finger stays down longer than the 300 ms the sensor waits), then move: a drag
  await card.scrollIntoViewIfNeeded();
  const b2 = (await card.boundingBox())!;
  const x2 = b2.x + b2.width / 2;
  const y2 = b2.y + b2.height / 2;
  await touch("touchStart", x2, y2);
  await page.waitForTimeout(450); // the gesture itself: a finger held still
  for (let i = 1; i <= 5; i++) await touch("touchMove", x2 + i * 4, y2 + i * 4);
  await expect(page.getByTestId("drag-preview")).toBeVisible();
  await cdp.send("Input.dispatchTouchEvent", { type: "touchCancel", touchPoints: [] });
  await expect(page.getByTestId("drag-preview")).toHaveCount(0);
});

test("the phone's menu closes when a page opens from it, and on Escape", async ({ page }) => {
  await loginAs(page, "viewer");
  const menu = page.getByTestId("nav-menu");
  await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
  await page.getByTestId("nav-menu-history").click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(menu).not.toHaveAttribute("open", "");
  await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
  await page.keyboard.press("Escape");
  await expect(menu).not.toHaveAttribute("open", "");
  await expect(menu.locator("summary")).toBeFocused();
});

test("on a phone History's rows stack, each cell after its column's name: nothing is cut at the screen's edge", async ({
  page,
}) => {
  await loginAs(page, "viewer", "/history");
  await page.goto("/history");
  const table = page.getByTestId("history-table");
  await expect(table).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  const box = (await table.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(width);
  const outcome = page.getByTestId("history-outcome").first();
  const o = (await outcome.boundingBox())!;
  expect(o.x + o.width).toBeLessThanOrEqual(width);
  // the column's name goes with the value (the header row is there for screen readers only)
  expect(await outcome.evaluate((el) => getComputedStyle(el, "::before").content)).toBe('"Outcome: "');
});

test("on a phone no table cuts a control off at the screen's edge: audit, images, placement, the Cluster table", async ({
  page,
}) => {
  await loginAs(page, "admin");
  const api = await apiAs("admin");
  const ids = await hostIds(api);
  await api.dispose();
  const outside: string[] = [];
  let seen = 0;
  for (const p of ["/audit", "/images", `/hosts/${ids.hostB}/maintenance`, "/"]) {
    await page.goto(p);
    if (p === "/") {
      await page.getByTestId("view-table").click();
      await expect(page.getByTestId("row-web-kvm")).toBeVisible();
    } else await page.waitForLoadState("networkidle");
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    for (const c of await page.locator("table :is(button, select, input, a)").all()) {
      if (!(await c.isVisible())) continue;
      seen++;
      const b = (await c.boundingBox())!;
      if (b.x < 0 || b.x + b.width > width + 0.5)
        outside.push(`${p}: ${(await c.textContent()) || (await c.getAttribute("aria-label"))}`);
    }
  }
  expect(seen).toBeGreaterThan(10);
  expect(outside).toEqual([]);
  await page.getByTestId("view-cards").click();
});

test("on a phone a job's end is announced at the top, clear of the jobs panel and the task bar", async ({ page }) => {
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await page.getByTestId("view-table").click();
  await page.getByTestId("row-debian_etch_domU").getByTestId("row-move").selectOption({ label: "hostC" });
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog.getByTestId("migrate-start")).toBeEnabled({ timeout: 30_000 });
  await dialog.getByTestId("migrate-start").click();
  const notice = page.getByTestId("job-notice").first();
  await expect(notice).toContainText("debian_etch_domU: live migration succeeded", { timeout: 30_000 });
  // the panel shows the ended card, full width at the bottom; the notice does not cover it, nor the task bar
  await expect(page.getByTestId("job-card-debian_etch_domU")).toBeVisible();
  expect(await overlap(page.getByTestId("job-notices"), page.getByTestId("job-cards"))).toBe(false);
  expect(await overlap(page.getByTestId("job-notices"), page.getByTestId("task-bar"))).toBe(false);
  await notice.getByRole("button", { name: "dismiss" }).click();
  await expect(notice).toHaveCount(0);
  await page.getByTestId("view-cards").click();
  // back where the other specs expect it
  const api = await apiAs("operator");
  expect(await whereRuns("debian_etch_domU")).toEqual(["hostC"]);
  expect(await waitFinal(api, (await startMigration(api, "debian_etch_domU", "hostC", "hostB")).id)).toBe("succeeded");
  await api.dispose();
});
