import type { Locator } from "@playwright/test";

// Whether two things on the screen overlap: the boxes the browser laid them out in.

/** True when the two elements' boxes share any area on the screen (both must be laid out). */
export async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const [p, q] = [await a.boundingBox(), await b.boundingBox()];
  if (!p || !q) throw new Error("overlap: an element is not laid out");
  return p.x < q.x + q.width && p.x + p.width > q.x && p.y < q.y + q.height && p.y + p.height > q.y;
}
