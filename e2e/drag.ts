import type { Page } from "@playwright/test";

/** A pointer drag dnd-kit sees: press, move in steps (it ignores a single jump), hover, then release with drop(). */
export async function drag(page: Page, from: ReturnType<Page["getByTestId"]>, to: ReturnType<Page["getByTestId"]>) {
  // both on screen: scroll so that the higher of the two sits near the top (dnd-kit needs the pointer over it)
  const a0 = (await from.boundingBox())!;
  const b0 = (await to.boundingBox())!;
  const top = Math.min(a0.y, b0.y);
  await page.evaluate((dy) => window.scrollBy(0, dy), top - 8);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + 60, { steps: 15 });
  return { drop: () => page.mouse.up() };
}
