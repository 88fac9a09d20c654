import type { HostOutline } from "@/lib/inventory/outline";

/** The height each column had when it last left the screen, and how many domains it showed then. */
export type ColumnSizes = Map<string, { shown: number; px: number }>;

/** A column's height before it was ever measured: its header, and a card per domain it shows. */
export const estimatedPx = (shown: number) => 240 + 90 * Math.max(shown, 1);

/**
 * A host column far from the screen: its name (a heading, so a screen reader's list of headings names every host)
 * and the room its column takes, so the page keeps its length and the scroll bar its meaning. It becomes the
 * column as it nears the screen.
 */
export function ColumnPlaceholder({
  host,
  px,
  nodeRef,
}: {
  host: Pick<HostOutline, "id" | "name" | "status">;
  px: number;
  /** for the column's IntersectionObserver; absent for a host still to come with the live stream */
  nodeRef?: (n: HTMLElement | null) => void;
}) {
  return (
    <section
      ref={nodeRef}
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      style={{ minHeight: px }}
      data-testid={`host-${host.name}`}
      data-status={host.status}
      data-placeholder=""
      aria-label={`host ${host.name}`}
    >
      <h2 className="text-lg font-semibold">
        <a href={`/hosts/${host.id}`} className="hover:underline">
          {host.name}
        </a>
      </h2>
    </section>
  );
}
