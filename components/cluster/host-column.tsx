import type { HostView } from "@/lib/inventory/types";
import { formatMiB, timeAgo } from "@/lib/format";
import { DomainCard } from "./domain-card";
import { MemoryBar } from "./memory-bar";
import { ImageDirWarning } from "./image-dir-warning";

const statusLook = {
  online: { dot: "bg-emerald-500", text: "online" },
  connecting: { dot: "bg-amber-400 animate-pulse", text: "connecting…" },
  unreachable: { dot: "bg-red-500", text: "unreachable" },
} as const;

export function HostColumn({ host }: { host: HostView }) {
  const look = statusLook[host.status];
  const dom0 = host.domains.find((d) => d.id === 0);
  const guests = host.domains.filter((d) => d.id !== 0);
  const f = host.facts;
  return (
    <section className={`flex flex-col rounded-lg border bg-white shadow-sm ${host.status === "unreachable" ? "border-red-300" : "border-slate-200"}`}
      data-testid={`host-${host.name}`} data-status={host.status} aria-label={`host ${host.name}`}>
      <header className="border-b border-slate-100 p-4">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">{host.name}</h2>
          <span className="flex items-center gap-1.5 text-xs font-medium text-slate-700" data-testid="host-status">
            <span className={`h-2.5 w-2.5 rounded-full ${look.dot}`} /> {look.text}
          </span>
        </div>
        <p className="text-xs text-slate-500">{host.user}@{host.address}:{host.port}</p>
        {f ? (
          <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-slate-600">
            <dt>toolstack</dt><dd data-testid="host-toolstack">{f.toolstack} · {f.hypervisor} {f.hypervisorVersion}</dd>
            <dt>CPU</dt><dd>{f.arch} · {f.virtExtensions.length ? f.virtExtensions.join(", ") : "no VT-x/AMD-V"} · {f.nrCpus} CPUs</dd>
            {dom0 && <><dt>Domain-0</dt><dd>{formatMiB(dom0.memoryMiB)} · {dom0.vcpus} vCPUs</dd></>}
          </dl>
        ) : (
          <p className="mt-2 text-xs text-slate-500">{host.status === "connecting" ? "Reading the host…" : "Never reached: no facts yet."}</p>
        )}
        {f && <MemoryBar facts={f} dom0MiB={dom0?.memoryMiB ?? 0} />}
        {f && <ImageDirWarning dir={f.imageDir} />}
        {host.status === "unreachable" && (
          <p role="status" className="mt-3 rounded bg-red-50 px-2 py-1.5 text-xs text-red-800" data-testid="host-reason">
            {host.reason} <span className="text-red-600">(last seen {timeAgo(host.lastSeenAt)})</span>
          </p>
        )}
      </header>
      <ul className={`flex min-h-24 flex-col gap-2 p-3 ${host.stale ? "opacity-50" : ""}`} data-testid="domain-list">
        {guests.map((d) => <DomainCard key={`${d.id}-${d.name}`} domain={d} />)}
        {guests.length === 0 && (
          <li className="flex flex-1 items-center justify-center rounded border border-dashed border-slate-200 p-4 text-xs text-slate-500">
            {host.status === "online" ? "No guest domains" : host.status === "connecting" ? "Loading domains…" : "Domains unknown while unreachable"}
          </li>
        )}
      </ul>
    </section>
  );
}
