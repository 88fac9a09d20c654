import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";

// An automated accessibility check (axe-core, WCAG 2 A and AA rules) of every page, as an admin sees it (the
// most controls), at desktop size and at a 390 px phone width, where no page may be wider than the screen.

const pages = ["/", "/hosts", "/images", "/history", "/audit", "/users"];

for (const width of [1400, 390]) {
  test(`every page passes axe's WCAG 2 A/AA rules at ${width} px`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width, height: 900 });
    await loginAs(page, "admin");
    const api = await apiAs("admin");
    const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
    const hostB = hosts.find((h) => h.name === "hostB")!.id;
    const all = [...pages, `/hosts/${hostB}/maintenance`, "/hosts/hostB"];
    for (const p of all) {
      await page.goto(p);
      await page.waitForLoadState("networkidle");
      // the page fits the screen: wide tables scroll inside their own box
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        `${p} overflows`,
      ).toBeLessThanOrEqual(0);
      const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
      expect(
        violations.map(
          (v) =>
            `${p}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
              .map((n) => n.target.join(" "))
              .slice(0, 3)
              .join(", ")}`,
        ),
      ).toEqual([]);
    }
  });
}
