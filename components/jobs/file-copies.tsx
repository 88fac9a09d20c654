import { formatBytes } from "@/lib/format-bytes";
import type { FileCopyView, JobView } from "@/lib/jobs/types";

/**
 * A move's files copied to the target while the domain is stopped (its memory image, its disks on the source's own
 * storage): how much of each is there so far, as the target's disk counts it. Shown only where the job copied files.
 */
export function FileCopies({ view }: { view: JobView }) {
  const copies = view.copies ?? [];
  if (!copies.length) return null;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="file-copies">
      <h2 className="mb-1 font-semibold">Copied to {copies[0].host}</h2>
      <p className="mb-2 text-xs text-slate-500">
        While the domain is stopped, over SSH; each file is proved whole by its sha256 on both hosts.
      </p>
      <ul className="space-y-2">
        {copies.map((c) => (
          <Copy key={`${c.host}:${c.path}`} c={c} />
        ))}
      </ul>
    </section>
  );
}

function Copy({ c }: { c: FileCopyView }) {
  const pct = c.bytes > 0 ? Math.min(100, (c.copiedBytes / c.bytes) * 100) : 100;
  const whole = c.copiedBytes >= c.bytes;
  return (
    <li data-testid={`file-copy-${c.label}`} data-copied={c.copiedBytes} data-bytes={c.bytes}>
      <div className="flex flex-wrap justify-between gap-x-2 text-xs">
        <span className="font-medium break-all">
          {c.label} <span className="font-normal text-slate-500">({c.path})</span>
        </span>
        <span className="tabular-nums">
          {whole ? `${formatBytes(c.bytes)}, whole` : `${formatBytes(c.copiedBytes)} of ${formatBytes(c.bytes)}`}
        </span>
      </div>
      <div
        className="mt-1 h-2 overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label={`${c.label} copied`}
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="h-full bg-violet-600" style={{ width: `${pct}%` }} />
      </div>
    </li>
  );
}
