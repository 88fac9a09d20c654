import type { ReactNode } from "react";

/**
 * A wide table's box: it scrolls sideways on a phone instead of widening the page, and it is a focusable,
 * named region so that keyboard users can scroll it too (WCAG 2.1.1).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1)
    <section className="overflow-x-auto" data-testid="table-scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
