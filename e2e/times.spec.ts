import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";

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
  // a job of our own to look at: a migration onto its own host, refused by its checks (nothing moves)
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as {
    id: string;
    domains: { id: number; name: string }[];
  }[];
  const host = hosts.find((h) => h.domains.some((d) => d.id > 0))!;
  const domain = host.domains.find((d) => d.id > 0)!.name;
  const res = await api.post("/api/jobs", { data: { kind: "migrate", domain, sourceId: host.id, targetId: host.id } });
  const job = (await res.json()).job as { id: string; createdAt: string };
  await api.dispose();
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
  expect(errors.filter((e) => /#418|hydrat/i.test(e))).toEqual([]);
});
