import type { Page } from "@playwright/test";

/**
 * A pointer drag dnd-kit sees: press, move in steps (it ignores a single jump), hover, then release with drop().
 * When either card is off screen the page is scrolled so that the two sit around the middle of the viewport, and
 * the pointer hovers inside the target away from the viewport's top and bottom quarter: near an edge dnd-kit
 * scrolls the page during the drag (auto-scroll), and the pointer would end over something else.
 */
export async function drag(page: Page, from: ReturnType<Page["getByTestId"]>, to: ReturnType<Page["getByTestId"]>) {
  const viewport = page.viewportSize()!;
  const a0 = (await from.boundingBox())!;
  const b0 = (await to.boundingBox())!;
  const bottom = (r: { y: number; height: number }) => r.y + Math.min(r.height, 120);
  const offScreen = [a0, b0].some((r) => r.y < 0 || bottom(r) > viewport.height);
  if (offScreen) {
    const middle = (Math.min(a0.y, b0.y) + Math.max(bottom(a0), bottom(b0))) / 2;
    await page.evaluate((dy) => window.scrollBy(0, dy), middle - viewport.height / 2);
  }
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  const calm = { top: viewport.height * 0.25, bottom: viewport.height * 0.75 };
  const y = Math.min(Math.max(b.y + 60, calm.top), calm.bottom, b.y + b.height - 10);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, y, { steps: 15 });
  return { drop: () => page.mouse.up() };
}
