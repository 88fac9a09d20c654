import type { Page } from "@playwright/test";

/** A pointer drag dnd-kit sees: press, move in steps (it ignores a single jump), hover, then release with drop(). */
export async function drag(page: Page, from: ReturnType<Page["getByTestId"]>, to: ReturnType<Page["getByTestId"]>) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + 60, { steps: 15 });
  return { drop: () => page.mouse.up() };
}
