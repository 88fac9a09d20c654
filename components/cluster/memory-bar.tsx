import type { HostFacts } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";

/** Host memory: Domain-0, guests, free — one bar, widths in proportion to the total. */
export function MemoryBar({ facts, dom0MiB }: { facts: HostFacts; dom0MiB: number }) {
  const total = Math.max(1, facts.totalMemoryMiB);
  const free = facts.freeMemoryMiB;
  const guests = Math.max(0, total - free - dom0MiB);
  const pct = (n: number) => `${(n * 100) / total}%`;
  return (
    <div className="mt-3" data-testid="memory">
      <div className="flex h-2.5 overflow-hidden rounded-full bg-slate-100" role="img"
        aria-label={`memory: ${formatMiB(total - free)} used of ${formatMiB(total)}, ${formatMiB(free)} free`}>
        <div className="bg-slate-400" style={{ width: pct(dom0MiB) }} />
        <div className="bg-sky-600" style={{ width: pct(guests) }} />
      </div>
      <p className="mt-1 text-xs text-slate-600">
        <span data-testid="memory-free">{formatMiB(free)} free</span> of {formatMiB(total)}
        <span className="text-slate-400"> · guests {formatMiB(guests)} · dom0 {formatMiB(dom0MiB)}</span>
      </p>
    </div>
  );
}
