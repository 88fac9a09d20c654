import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { cancelAndPutBack, startMigration, waitFinal, whereRuns } from "./jobs-api";

// A browser in another time zone than the server: every time says its zone (the browser's), the exact UTC is on
// hover, and no page logs a hydration mismatch (React #418) because the server rendered another zone's time.

test.use({ timezoneId: "Asia/Tokyo", locale: "en-US" });

test("times show the browser's zone, labelled, with UTC on hover — and no page hydrates with a mismatch", async ({
  page,
}) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  // a job of our own to look at: a migration of a shut-off domain, refused by its checks (nothing moves)
  const api = await apiAs("operator");
  const job = await startMigration(api, "win-test", "kvmB", "kvmA");
  expect(await waitFinal(api, job.id)).toBe("failed");
  await loginAs(page, "admin");
  await page.goto(`/jobs/${job.id}`);
  const created = page.getByTestId("job-created");
  await expect(created).toContainText("GMT+9");
  await expect(created).toHaveAttribute("title", `${job.createdAt.replace("T", " ").slice(0, 19)} UTC`);
  for (const p of ["/history", "/hosts", "/users", "/images", "/audit"]) {
    await page.goto(p);
    await page.waitForLoadState("networkidle");
  }
  await page.goto("/history");
  await expect(page.getByTestId("history-row").first().locator("time")).toContainText("GMT+9");
  // a running job's page: its clock starts in the browser, after hydration (the server's "now" is another)
  const home = (await whereRuns("debian_etch_domU"))[0];
  const running = await startMigration(api, "debian_etch_domU", home, home === "hostB" ? "hostC" : "hostB");
  await page.goto(`/jobs/${running.id}`);
  await expect(page.getByTestId("job-created")).toContainText("GMT+9");
  await page.waitForLoadState("networkidle");
  await cancelAndPutBack(api, running.id, "debian_etch_domU", home);
  await api.dispose();
  expect(errors.filter((e) => /#418|hydrat/i.test(e))).toEqual([]);
});
