import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { apiAs, loginAs } from "./auth";
import { E2E } from "./env";
import { drag } from "./drag";

// Maintenance and evacuation as an operator does it: read the plan, run it, watch the board, see the host
// refuse a drop while in maintenance, bring the domains home. Where each domain runs is asked of the
// simulated hosts (the sim's control plane), not of Ferry.

const GUESTS = ["ubuntu_fuwa_nfs_domU", "debian_etch_domU"];
async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

test("bad input to the evacuation API is refused with a sentence, and nothing starts", async () => {
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const hostB = hosts.find((h) => h.name === "hostB")!.id;
  const unknown = await api.post("/api/evacuations/plan", { data: { hostId: "no-such-host" } });
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error.message).toBe("No such host.");
  const ghost = await api.post("/api/placement/rules", {
    data: { name: "ghosts apart", kind: "anti-affinity", domains: ["debian_etch_domU", "ghost"] },
  });
  expect(ghost.status()).toBe(400);
  expect((await ghost.json()).error.message).toBe(
    "No host has a domain named ghost: a rule names domains Ferry can see.",
  );
  const priority = await api.put("/api/placement/domains", {
    data: { domain: "debian_etch_domU", priority: 500, maxDowntimeMs: null },
  });
  expect(priority.status()).toBe(400);
  expect((await priority.json()).error.message).toBe("The priority is from 0 to 100.");
  const stale = await api.post("/api/evacuations", {
    data: { hostId: hostB, kind: "evacuate", expect: [{ domain: "debian_etch_domU", target: "hostA" }] },
  });
  expect(stale.status()).toBe(409);
  expect((await stale.json()).error.message).toMatch(/The cluster changed since this plan was made/);
  const viewer = await apiAs("viewer");
  expect((await viewer.post(`/api/hosts/${hostB}/maintenance`, { data: { on: true } })).status()).toBe(403);
  expect((await (await api.get(`/api/evacuations?hostId=${hostB}`)).json()).evacuations).toEqual([]);
  // a rule is respected by the drag-and-drop checks too: a warning that names it
  const together = await api.post("/api/placement/rules", {
    data: { name: "guide pair", kind: "affinity", domains: ["ubuntu_fuwa_nfs_domU", "debian_etch_domU"] },
  });
  expect(together.status()).toBe(200);
  const hostC = hosts.find((h) => h.name === "hostC")!.id;
  const checked = await api.post("/api/checks/migration", {
    data: { domain: "ubuntu_fuwa_nfs_domU", sourceId: hostB, targetId: hostC },
  });
  const rule = (await checked.json()).checks.find((c: { id: string }) => c.id === "placement-rule");
  expect(rule).toMatchObject({
    status: "warn",
    reason: 'Rule "guide pair" keeps ubuntu_fuwa_nfs_domU together with debian_etch_domU, which is not on hostC.',
  });
  const ruleId = (await together.json()).rules.find((r: { name: string }) => r.name === "guide pair").id;
  expect((await api.delete(`/api/placement/rules/${ruleId}`)).status()).toBe(200);
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);
});

test("evacuate hostB from the UI: the plan first, then the board; hostB refuses a drop; the way home", async ({
  page,
}) => {
  test.setTimeout(120_000);
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.host("hostB").getByTestId("host-maintenance-link").click();
  await expect(page.getByTestId("maintenance-page")).toHaveAttribute("data-ready", "1");
  await expect(page.getByTestId("maintenance-state")).toHaveAttribute("data-on", "false");
  await expect(page).toHaveTitle("Maintenance of hostB · Ferry");

  // a priority set in the page orders the plan
  const row = page.getByTestId("setting-debian_etch_domU");
  await row.getByTestId("setting-priority").fill("90");
  await row.getByTestId("setting-save").click();
  await expect(page.getByTestId("placement-message")).toHaveText("Saved debian_etch_domU.");
  // an emptied priority is the default one (as the help says), not 0
  const other = page.getByTestId("setting-ubuntu_fuwa_nfs_domU");
  await expect(other.getByTestId("setting-priority")).toHaveAttribute("placeholder", "50");
  await other.getByTestId("setting-priority").fill("");
  await other.getByTestId("setting-save").click();
  await expect(page.getByTestId("placement-message")).toHaveText("Saved ubuntu_fuwa_nfs_domU.");
  await page.reload();
  await expect(page.getByTestId("maintenance-page")).toHaveAttribute("data-ready", "1");
  await expect(other.getByTestId("setting-priority")).toHaveValue("50");

  // a cap that is not a number of moves is said beside it as it is typed; no plan is made with it
  for (const [typed, problem] of [
    ["abc", "The cap is a number of moves at once."],
    ["0", "The cap is at least 1 move at a time."],
    ["-1", "The cap is at least 1 move at a time."],
  ]) {
    await page.getByTestId("plan-cap").fill(typed);
    await expect(page.getByTestId("plan-cap-problem")).toHaveText(problem);
    await expect(page.getByTestId("plan-evacuate")).toBeDisabled();
  }
  await page.getByTestId("plan-cap").fill("");
  await expect(page.getByTestId("plan-cap-problem")).toHaveCount(0);

  await page.getByTestId("plan-evacuate").click();
  const plan = page.getByTestId("plan");
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await expect(plan.getByTestId("plan-move-debian_etch_domU")).toHaveAttribute("data-target", "hostC");
  await expect(plan.getByTestId("plan-move-ubuntu_fuwa_nfs_domU")).toHaveAttribute("data-target", "hostC");
  await expect(plan.locator("tbody tr").first()).toHaveAttribute("data-testid", "plan-move-debian_etch_domU");
  await expect(plan.getByTestId("plan-timeline")).toBeVisible();
  // reading the plan moved nothing
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);

  await plan.getByTestId("plan-run").click();
  const board = page.getByTestId("board");
  await expect(board).toHaveAttribute("data-status", "finished", { timeout: 90_000 });
  await expect(page.getByTestId("maintenance-state")).toHaveAttribute("data-on", "true");
  for (const g of GUESTS) {
    await expect(board.getByTestId(`board-move-${g}`)).toHaveAttribute("data-state", "succeeded");
    expect(await where(g)).toEqual(["hostC"]);
  }

  // in maintenance, hostB refuses a drop while the domain hovers over it
  await cluster.open();
  await expect(cluster.host("hostB").getByTestId("host-maintenance")).toBeVisible();
  const { drop } = await drag(page, cluster.domain("hostC", "ubuntu_fuwa_nfs_domU"), cluster.host("hostB"));
  const verdict = cluster.host("hostB").getByTestId("drop-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", "fail");
  await expect(verdict).toContainText("hostB is in maintenance");
  await drop();
  await page.getByTestId("migrate-close").click();

  // leave maintenance (one click) and bring them home
  await cluster.host("hostB").getByTestId("host-maintenance-link").click();
  await expect(page.getByTestId("maintenance-page")).toHaveAttribute("data-ready", "1");
  await page.getByTestId("maintenance-toggle").click();
  await expect(page.getByTestId("maintenance-state")).toHaveAttribute("data-on", "false");
  await page.getByTestId("plan-return").click();
  await expect(page.getByTestId("plan-move-debian_etch_domU")).toHaveAttribute("data-target", "hostB", {
    timeout: 30_000,
  });
  await page.getByTestId("plan-run").click();
  await expect(page.getByTestId("board")).toHaveAttribute("data-kind", "return");
  await expect(page.getByTestId("board")).toHaveAttribute("data-status", "finished", { timeout: 90_000 });
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);
});

test("a link cut mid-evacuation: that domain keeps running on hostB, the board says what is left, Re-plan finishes it", async ({
  page,
}) => {
  test.setTimeout(150_000);
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);
  await fetch(`${E2E.simControl}/faults`, {
    method: "POST",
    body: JSON.stringify({ kind: "link-cut", during: "precopy", domain: "debian_etch_domU" }),
  });
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.host("hostB").getByTestId("host-maintenance-link").click();
  await expect(page.getByTestId("maintenance-page")).toHaveAttribute("data-ready", "1");
  await page.getByTestId("plan-evacuate").click();
  await expect(page.getByTestId("plan-move-debian_etch_domU")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("plan-run").click();
  const board = page.getByTestId("board");
  await expect(board).toHaveAttribute("data-kind", "evacuate");
  await expect(board).toHaveAttribute("data-status", "incomplete", { timeout: 90_000 });
  await expect(board.getByTestId("board-move-debian_etch_domU")).toHaveAttribute("data-state", "failed");
  await expect(board.getByTestId("board-move-ubuntu_fuwa_nfs_domU")).toHaveAttribute("data-state", "succeeded");
  await expect(page.getByTestId("board-incomplete")).toBeVisible();
  // asked of the hosts: the cut domain runs on hostB only, the other on hostC only
  expect(await where("debian_etch_domU")).toEqual(["hostB"]);
  expect(await where("ubuntu_fuwa_nfs_domU")).toEqual(["hostC"]);

  // Re-plan: only what is left
  await expect(page.getByTestId("plan-evacuate")).toHaveText("Re-plan");
  await page.getByTestId("plan-evacuate").click();
  await expect(page.getByTestId("plan-move-debian_etch_domU")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("plan-moves").locator("tbody tr")).toHaveCount(1);
  await page.getByTestId("plan-run").click();
  // the board was "incomplete": "finished" is the new run's
  await expect(page.getByTestId("board")).toHaveAttribute("data-status", "finished", { timeout: 90_000 });
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostC"]);

  // and home again, for the specs that follow
  await page.getByTestId("maintenance-toggle").click();
  await expect(page.getByTestId("maintenance-state")).toHaveAttribute("data-on", "false");
  await page.getByTestId("plan-return").click();
  await expect(page.getByTestId("plan-move-ubuntu_fuwa_nfs_domU")).toHaveAttribute("data-target", "hostB", {
    timeout: 30_000,
  });
  await page.getByTestId("plan-run").click();
  await expect(page.getByTestId("board")).toHaveAttribute("data-kind", "return");
  await expect(page.getByTestId("board")).toHaveAttribute("data-status", "finished", { timeout: 90_000 });
  for (const g of GUESTS) expect(await where(g)).toEqual(["hostB"]);
});
