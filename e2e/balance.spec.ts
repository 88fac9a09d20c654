import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { runningOn } from "./host-ssh";
import { startMigration, waitFinal, whereRuns } from "./jobs-api";

// The Balance view on the demo: each host's memory in use, a recommendation read before anything moves (each move's
// why and forecast), one move of it applied, then another with the first held by the guard; where each guest runs
// afterwards is asked of the hosts themselves over SSH. Bad figures are refused as they are typed; a viewer reads but
// cannot apply. ("Apply all" is the same request without `only`: lib/balance/service.test.ts runs it.)

const axe = async (page: Page) =>
  (await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze()).violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );

async function recommend(page: Page, threshold = "6") {
  await page.getByTestId("balance-threshold").fill(threshold);
  await page.getByTestId("balance-recommend").click();
  await expect(page.getByTestId("recommendation")).toBeVisible({ timeout: 30_000 });
  return page.getByTestId("recommendation");
}

/** Unticks every move but `domain`'s and applies it (with "Apply all" when it is the only move). */
async function applyOnly(rec: Locator, domain: string) {
  for (const tick of await rec.locator('[data-testid^="balance-tick-"]').all())
    if ((await tick.getAttribute("data-testid")) !== `balance-tick-${domain}`) await tick.uncheck();
  const some = rec.getByTestId("balance-apply-some");
  await ((await some.count()) ? some : rec.getByTestId("balance-apply")).click();
}

test("read a recommendation, apply one move of it, then another: the hosts say where each guest runs", async ({
  page,
}) => {
  expect(await whereRuns("debian_etch_domU")).toEqual(["hostB"]);
  await loginAs(page, "operator", "/balance");
  await expect(page.getByTestId("balance-page")).toHaveAttribute("data-ready", "1");
  await expect(page.getByTestId("pressure-hostB")).toHaveAttribute("data-pct", /^\d/);
  // the usage samples (one every 2 s here) are drawn: the fullest, mean and emptiest host, and the spread
  await expect(page.getByTestId("spread-chart")).toHaveAttribute("data-points", /^[1-9]/);
  await expect(page.getByTestId("imbalance-chart")).toHaveAttribute("data-points", /^[1-9]/);

  // a figure out of range is refused as typed, and nothing is asked
  await page.getByTestId("balance-headroom").fill("80");
  await expect(page.getByText("The headroom is from 0 to 50 %.")).toBeVisible();
  await expect(page.getByTestId("balance-recommend")).toBeDisabled();
  await page.getByTestId("balance-headroom").fill("10");

  let rec = await recommend(page);
  // hostB (the guide's two guests) is the fullest Xen host that gives; hostC the emptiest
  const debian = rec.getByTestId("balance-move-debian_etch_domU");
  await expect(debian).toHaveAttribute("data-target", "hostC");
  await expect(debian).toContainText(/hostB \d+ → \d+ % memory in use, hostC \d+ → \d+ %: the imbalance falls from/);
  await expect(rec.getByTestId("recommendation-summary")).toContainText(/after \d+ moves? [\d.]+ points/);
  const hostC = page.getByTestId("pressure-hostC");
  expect(Number(await hostC.getAttribute("data-after"))).toBeGreaterThan(Number(await hostC.getAttribute("data-pct")));
  expect(await axe(page)).toEqual([]);
  // reading changed nothing on the hosts
  expect(await runningOn("hostB")).toContain("debian_etch_domU");

  // apply only the move of debian_etch_domU: every other move unticked, and none of them happens
  const others = await rec
    .locator('[data-testid^="balance-move-"]')
    .evaluateAll((rows) =>
      rows
        .map((r) => r.getAttribute("data-testid")!.slice("balance-move-".length))
        .filter((d) => d !== "debian_etch_domU"),
    );
  const before = Object.fromEntries(await Promise.all(others.map(async (d) => [d, await whereRuns(d)] as const)));
  await applyOnly(rec, "debian_etch_domU");
  await expect(page).toHaveURL(/\/group-moves\//);
  const board = page.getByTestId("board");
  await expect(board).toContainText("Balancing (spread)");
  await expect(board).toHaveAttribute("data-status", "finished", { timeout: 60_000 });
  await expect(board.locator('[data-testid^="board-move-"]')).toHaveCount(1);
  expect(await runningOn("hostC")).toContain("debian_etch_domU");
  expect(await runningOn("hostB")).not.toContain("debian_etch_domU");
  for (const d of others) expect(await whereRuns(d)).toEqual(before[d]);

  // again, from the board: what was just moved stays where it is (the guard). With no imbalance accepted, hostB's other
  // guest follows to hostC; only the Xen guests move here (the KVM and xm specs after this one expect guests that
  // have never migrated), so every other move is unticked
  await page.getByTestId("balance-replan").click();
  await expect(page).toHaveURL(/\/balance$/);
  await expect(page.getByTestId("balance-page")).toHaveAttribute("data-ready", "1");
  rec = await recommend(page, "0");
  await expect(rec.getByTestId("balance-move-debian_etch_domU")).toHaveCount(0);
  await expect(rec.getByTestId("recommendation-notes")).toContainText(
    "debian_etch_domU stays: was moved to hostC by balancing",
  );
  await expect(rec.getByTestId("balance-move-ubuntu_fuwa_nfs_domU")).toHaveAttribute("data-target", "hostC");
  await applyOnly(rec, "ubuntu_fuwa_nfs_domU");
  await expect(page.getByTestId("board")).toHaveAttribute("data-status", "finished", { timeout: 60_000 });
  expect(await runningOn("hostC")).toEqual(expect.arrayContaining(["debian_etch_domU", "ubuntu_fuwa_nfs_domU"]));
  expect(await runningOn("hostB")).toEqual([]);

  // back where the next specs expect them
  const api = await apiAs("operator");
  for (const d of ["debian_etch_domU", "ubuntu_fuwa_nfs_domU"])
    expect(await waitFinal(api, (await startMigration(api, d, "hostC", "hostB")).id)).toBe("succeeded");
  await api.dispose();

  // pack, now: hostB's guests are back there but held by the guard, so hostB is not emptied, and says why; xmA's one
  // guest fits on xmB, so xmA is; nothing moves onto a host it empties, and reading moves nothing
  await page.goto("/balance");
  await expect(page.getByTestId("balance-page")).toHaveAttribute("data-ready", "1");
  await page.getByTestId("balance-mode-pack").check();
  await page.getByTestId("balance-recommend").click();
  const pack = page.getByTestId("recommendation");
  await expect(pack).toBeVisible({ timeout: 30_000 });
  await expect(pack.getByTestId("recommendation-emptied")).toContainText("It empties xmA");
  await expect(page.getByTestId("pressure-xmA")).toContainText("emptied");
  await expect(pack.getByTestId("recommendation-notes")).toContainText(
    "hostB is not emptied: debian_etch_domU was moved to hostC by balancing",
  );
  const emptied = (await pack.getByTestId("recommendation-emptied").textContent())!;
  for (const row of await pack.locator('[data-testid^="balance-move-"]').all())
    expect(emptied).not.toContain((await row.getAttribute("data-target"))!);
  expect(await runningOn("xmA")).toContain("sles11_domU");
});

test("a viewer reads the pressure but is not offered a recommendation; the API refuses bad figures with a sentence", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await loginAs(page, "viewer", "/balance");
  await expect(page.getByTestId("pressure")).toBeVisible();
  await expect(page.getByTestId("balance-recommend")).toHaveCount(0);
  expect(await axe(page)).toEqual([]);
  const viewer = await apiAs("viewer");
  expect((await viewer.post("/api/balance/plan", { data: {} })).status()).toBe(403);
  await viewer.dispose();
  const operator = await apiAs("operator");
  const bad = await operator.post("/api/balance/plan", { data: { mode: "zigzag" } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/The mode is spread \(even out the hosts\) or pack/);
  const settings = await operator.put("/api/balance/settings", {
    data: { mode: "spread", headroomPct: 10, thresholdPts: 2, guardMinutes: 60, auto: true, everyMinutes: 15 },
  });
  expect(settings.status()).toBe(403);
  const noRead = await operator.post("/api/balance", {
    data: { expect: [{ domain: "ubuntu_fuwa_nfs_domU", target: "hostA" }] },
  });
  expect(noRead.status()).toBe(409);
  expect((await noRead.json()).error.message).toMatch(/The cluster changed since this plan was made/);
  await operator.dispose();
});
