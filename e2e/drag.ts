import type { Page } from "@playwright/test";

/** A pointer drag dnd-kit sees: press, move in steps (it ignores a single jump), hover, then release with drop(). */
export async function drag(page: Page, from: ReturnType<Page["getByTestId"]>, to: ReturnType<Page["getByTestId"]>) {
  // both on screen: when one is not, scroll so that the higher of the two sits near the top
  const a0 = (await from.boundingBox())!;
  const b0 = (await to.boundingBox())!;
  const viewport = page.viewportSize()!;
  const offScreen = [a0, b0].some((r) => r.y < 0 || r.y + Math.min(r.height, 120) > viewport.height);
  if (offScreen) await page.evaluate((dy) => window.scrollBy(0, dy), Math.min(a0.y, b0.y) - 8);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + 60, { steps: 15 });
  return { drop: () => page.mouse.up() };
}
