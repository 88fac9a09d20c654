import { formatBytes } from "@/lib/format-bytes";
import type { JobView } from "@/lib/jobs/types";

/**
 * A live migration with its disks: how much of them QEMU has copied (libvirt's "File processed / total"), before the
 * memory's rounds begin. Shown only where the job copied disks.
 */
export function DiskCopyProgress({ view }: { view: JobView }) {
  const last = view.jobinfo.findLast((j) => typeof j.diskTotal === "number" && j.diskTotal > 0);
  if (!last) return null;
  const total = last.diskTotal ?? 0;
  const done = last.diskProcessed ?? 0;
  const copied =
    view.jobinfo.some((j) => j.iteration !== null && j.iteration >= 1) || view.summary.status === "succeeded";
  const shown = copied ? total : done;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="disk-copy">
      <h2 className="mb-1 font-semibold">Disks</h2>
      <p className="mb-2 text-xs text-slate-500">
        {copied
          ? `Copied to the target before the memory: ${formatBytes(total)}, as QEMU counts the disks (their full size; unused space travels as zeros).`
          : `QEMU copies the disks first; the memory follows. ${formatBytes(done)} of ${formatBytes(total)}.`}
      </p>
      <div
        className="h-2 overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label="Disks copied"
        aria-valuenow={Math.round((shown / total) * 100)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="h-full bg-violet-600" style={{ width: `${Math.min(100, (shown / total) * 100)}%` }} />
      </div>
    </section>
  );
}
