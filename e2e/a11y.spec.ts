import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";

// An automated accessibility check (axe-core, WCAG 2 A and AA rules) of every page, as an admin sees it (the
// most controls), at desktop size and at a 390 px phone width, where no page may be wider than the screen, and
// at both widths with the system set to dark (the palette turns over: contrast is checked again).

const pages = ["/", "/hosts", "/balance", "/images", "/history", "/audit", "/users"];

const cases = [
  { width: 1400, scheme: "light" },
  { width: 390, scheme: "light" },
  { width: 1400, scheme: "dark" },
  { width: 390, scheme: "dark" },
] as const;

for (const { width, scheme } of cases) {
  test(`every page passes axe's WCAG 2 A/AA rules at ${width} px (${scheme})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await loginAs(page, "admin");
    const api = await apiAs("admin");
    const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
    const hostB = hosts.find((h) => h.name === "hostB")!.id;
    const all = [...pages, `/hosts/${hostB}/maintenance`, "/hosts/hostB", "/domains/debian_etch_domU"];
    for (const p of all) {
      await page.goto(p);
      await page.waitForLoadState("networkidle");
      // the page follows the system's setting: a dark page behind light text, or the other way round
      const lightness = await page.evaluate(() => {
        const luma = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
        const canvas = document.createElement("canvas").getContext("2d")!;
        const resolve = (c: string) => {
          canvas.fillStyle = c; // normalises oklch/lab to rgb
          canvas.fillRect(0, 0, 1, 1);
          return [...canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)];
        };
        const s = getComputedStyle(document.body);
        return { bg: luma(resolve(s.backgroundColor)), fg: luma(resolve(s.color)) };
      });
      if (scheme === "dark") expect(lightness.bg, `${p} background`).toBeLessThan(60);
      else expect(lightness.bg, `${p} background`).toBeGreaterThan(200);
      expect(Math.abs(lightness.fg - lightness.bg), `${p} text against background`).toBeGreaterThan(120);
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
