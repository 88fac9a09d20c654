import type { HostFacts } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";

/** Host memory: Domain-0, guests, free — one bar, widths in proportion to the total. */
/** Xen: dom0's share and the guests'. libvirt: the running guests' memory, and the host's own use (the rest). */
export function MemoryBar({
  facts,
  memoryModel,
  dom0MiB,
  guestsMiB,
}: {
  facts: HostFacts;
  memoryModel: "xen" | "node";
  dom0MiB: number;
  guestsMiB?: number;
}) {
  const total = Math.max(1, facts.totalMemoryMiB);
  const free = facts.freeMemoryMiB;
  const xen = memoryModel === "xen";
  const guests = xen ? Math.max(0, total - free - dom0MiB) : Math.min(guestsMiB ?? 0, total - free);
  const hostUse = xen ? dom0MiB : Math.max(0, total - free - guests);
  const pct = (n: number) => `${(n * 100) / total}%`;
  return (
    <div className="mt-3" data-testid="memory">
      <div
        className="flex h-2.5 overflow-hidden rounded-full bg-slate-100"
        role="img"
        aria-label={`memory: ${formatMiB(total - free)} used of ${formatMiB(total)}, ${formatMiB(free)} free`}
      >
        <div className="bg-slate-400" style={{ width: pct(hostUse) }} />
        <div className="bg-sky-600" style={{ width: pct(guests) }} />
      </div>
      <p className="mt-1 text-xs text-slate-600">
        <span data-testid="memory-free">{formatMiB(free)} free</span> of {formatMiB(total)}
        <span className="text-slate-500">
          {" "}
          · guests {formatMiB(guests)} · {xen ? "dom0" : "host"} {formatMiB(hostUse)}
        </span>
      </p>
    </div>
  );
}
