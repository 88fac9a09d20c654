import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { startMigration, waitFinal, whereRuns } from "./jobs-api";

// The task log at the bottom of every page: what runs and what ended in the last day, whose, with a filter and a
// link to each job. The Cluster page's cards keep only what runs and what ended while the page watched.

test("the task log follows a job to its end on any page, filters it, links to it; the Cluster page keeps no stale card", async ({
  page,
}) => {
  await loginAs(page, "admin", "/history");
  await page.goto("/history");
  const bar = page.getByTestId("task-bar");
  await page.getByTestId("task-toggle").click();
  await expect(page.getByTestId("task-toggle")).toHaveAttribute("aria-expanded", "true");
  // another user starts a migration: it shows running, then ends, without a reload
  const api = await apiAs("operator");
  const home = (await whereRuns("debian_etch_domU"))[0];
  const to = home === "hostB" ? "hostC" : "hostB";
  const job = await startMigration(api, "debian_etch_domU", home, to);
  const row = bar.getByTestId(`task-${job.id}`);
  await expect(row).toContainText(`debian_etch_domU: live migration`);
  await expect(row).toContainText(`${home} → ${to}`);
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  // filters: only running hides it now; only mine (admin) hides the operator's
  await page.getByTestId("task-filter").selectOption("running");
  await expect(row).toHaveCount(0);
  await page.getByTestId("task-filter").selectOption("all");
  await expect(row).toBeVisible();
  await page.getByTestId("task-mine").check();
  await expect(row).toHaveCount(0);
  await page.getByTestId("task-mine").uncheck();
  await row.getByRole("link").click();
  await expect(page).toHaveURL(`/jobs/${job.id}`);
  // the Cluster page, opened after it ended, shows no card for it (it is in the log)
  await page.goto("/");
  await expect(page.getByTestId("cluster-summary")).toBeVisible();
  await expect(page.locator(`[data-job-id="${job.id}"]`)).toHaveCount(0);
  // back where the next specs expect it
  expect(await waitFinal(api, (await startMigration(api, "debian_etch_domU", to, home)).id)).toBe("succeeded");
  await api.dispose();
});
