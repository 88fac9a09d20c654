import { MovesTable } from "@/components/jobs/moves-table";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/time";
import { domainHref } from "@/lib/domain-href";
import { MemoryBar } from "@/components/cluster/memory-bar";
import { currentSession, requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { formatMiB, stateWords } from "@/lib/format";
import { listJobs } from "@/lib/jobs/store";
import { getServices } from "@/lib/runtime";
import { HostMemoryChart } from "@/components/memory-chart";
import { HostUsageCharts } from "@/components/usage-charts";

export const dynamic = "force-dynamic";

/** A host by its id or its name (`/hosts/hostA` works as people type it). */
function hostOf(idOrName: string) {
  const { inventory } = getServices();
  return inventory.get(idOrName) ?? inventory.snapshot().find((h) => h.name === idOrName);
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await currentSession();
  return { title: (session && hostOf(decodeURIComponent(id))?.name) || "Host" };
}

// GET /hosts/:idOrName – one host: what it is, what runs on it, and every move into or out of it
export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { session } = await requirePage("/hosts/[id]", `/hosts/${encodeURIComponent(id)}`);
  const canAct = hasRole(session.user.role, "operator");
  const host = hostOf(decodeURIComponent(id));
  if (!host) notFound();
  const f = host.facts;
  const guests = host.domains.filter((d) => d.id !== 0);
  const dom0 = host.domains.find((d) => d.id === 0);
  const jobs = await listJobs(getServices().db, { host: host.name }, 100);
  const memory = await getServices().usage.forHost(host.id);
  return (
    <div className="space-y-4" data-testid="host-page">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">{host.name}</h1>
          <p className="text-sm break-all text-slate-600">
            {host.user}@{host.address}:{host.port} · {host.status} · {host.toolstackLabel}
            {host.maintenance ? " · in maintenance: receives nothing" : ""}
          </p>
        </div>
        <Link href={`/hosts/${host.id}/maintenance`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
          Maintenance…
        </Link>
      </header>
      {f && (
        <section className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="host-facts">
          <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1">
            <dt className="text-slate-600">hypervisor</dt>
            <dd>
              {f.hypervisor} {f.hypervisorVersion} ({f.toolstack})
            </dd>
            <dt className="text-slate-600">CPU</dt>
            <dd>
              {f.arch} · {f.virtExtensions.join(", ") || "no VT-x/AMD-V"} · {f.nrCpus} CPUs
            </dd>
            <dt className="text-slate-600">memory</dt>
            <dd>
              {formatMiB(f.freeMemoryMiB)} free of {formatMiB(f.totalMemoryMiB)}
            </dd>
            <dt className="text-slate-600">addresses</dt>
            <dd className="break-all">{f.addresses.join(", ") || "—"}</dd>
            <dt className="text-slate-600">identity</dt>
            <dd className="font-mono text-xs break-all">{f.identity ?? "—"}</dd>
            <dt className="text-slate-600">host key</dt>
            <dd className="font-mono text-xs break-all">{host.fingerprint}</dd>
            <dt className="text-slate-600">last seen</dt>
            <dd>
              <LocalTime iso={host.lastSeenAt} />
            </dd>
          </dl>
          <MemoryBar
            facts={f}
            memoryModel={host.capabilities.memoryModel}
            dom0MiB={dom0?.memoryMiB ?? 0}
            guestsMiB={guests.filter((d) => d.id >= 0).reduce((s, d) => s + d.memoryMiB, 0)}
          />
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-1 text-sm font-semibold">Memory over time</h2>
        <HostMemoryChart points={memory} name={host.name} />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-1 text-sm font-semibold">CPU and network over time</h2>
        <HostUsageCharts points={memory} nrCpus={f?.nrCpus ?? null} />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="host-domains">
        <h2 className="text-sm font-semibold">Domains ({guests.length})</h2>
        <ul className="mt-1 text-sm">
          {guests.map((d) => (
            <li key={d.name}>
              <Link className="text-sky-800 underline" href={domainHref(d)}>
                {d.name}
              </Link>{" "}
              · {stateWords[d.state]} · {formatMiB(d.memoryMiB)} · {d.vcpus} vCPU{d.vcpus === 1 ? "" : "s"}
              {canAct && (
                <>
                  {" "}
                  ·{" "}
                  <Link
                    className="text-sky-800 underline"
                    href={`${domainHref(d)}#actions`}
                    data-testid={`host-domain-actions-${d.name}`}
                  >
                    migrate, save…
                  </Link>
                </>
              )}
            </li>
          ))}
          {guests.length === 0 && <li className="text-slate-600">No guest domains.</li>}
        </ul>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="host-jobs">
        <h2 className="text-sm font-semibold">Moves into and out of {host.name}</h2>
        <MovesTable jobs={jobs} label={`Moves of ${host.name}`} />
      </section>
    </div>
  );
}
