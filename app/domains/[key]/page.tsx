import Link from "next/link";
import { notFound } from "next/navigation";
import { MovesTable } from "@/components/jobs/moves-table";
import { DomainMemoryChart } from "@/components/memory-chart";
import { DomainCpuChart } from "@/components/usage-charts";
import { currentSession, requirePage } from "@/lib/auth/page";
import { formatMiB, formatUptime, stateWords } from "@/lib/format";
import { formatBytes } from "@/lib/format-bytes";
import { listJobs } from "@/lib/jobs/store";
import { getServices } from "@/lib/runtime";
import { hasRole } from "@/lib/auth/roles";
import { imageDirsOf } from "@/lib/images/catalog";
import { driverOf } from "@/lib/toolstacks";
import { DomainActions } from "@/components/domains/domain-actions";

export const dynamic = "force-dynamic";

/**
 * A domain by its UUID (what the hosts say it is: a name can be reused) or by its name, wherever it runs now.
 * A domain that runs nowhere still has a page while Ferry knows of it: its saved images and its moves.
 */
async function domainOf(key: string) {
  const { inventory, jobs, db } = getServices();
  const places = inventory
    .snapshot()
    .flatMap((h) =>
      h.domains.filter((d) => d.id !== 0 && (d.uuid === key || d.name === key)).map((d) => ({ host: h, d })),
    );
  const first = places[0]?.d;
  const name = first?.name ?? key;
  const uuid = first?.uuid ?? (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(key) ? key : null);
  const moves = await listJobs(db, { domainIs: { name, uuid } }, 100);
  // known only by its UUID and not running: the name comes from its last job
  const known = first ? name : (moves[0]?.domainName ?? name);
  const images = (await jobs.catalog.list()).filter((i) => i.domainName === known);
  if (places.length === 0 && moves.length === 0 && images.length === 0) return null;
  return { name: known, places, moves, images };
}

export async function generateMetadata({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  const { session } = await currentSession();
  if (!session) return { title: "Domain" };
  return { title: (await domainOf(decodeURIComponent(key)))?.name ?? "Domain" };
}

// GET /domains/:uuidOrName – one domain: where it runs, its facts, its memory over time, its images and moves
export default async function DomainPage({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  const { session } = await requirePage("/domains/[key]", `/domains/${encodeURIComponent(key)}`);
  const found = await domainOf(decodeURIComponent(key));
  if (!found) notFound();
  const { name, places, moves, images } = found;
  const here = places[0];
  const uuid = here?.d.uuid ?? null;
  const { inventory, usage } = getServices();
  const hostName = new Map(inventory.snapshot().map((h) => [h.id, h.name]));
  const samples = (await usage.forDomain({ uuid, name })).map((p) => ({
    at: p.at,
    memoryMiB: p.memoryMiB,
    hostName: hostName.get(p.hostId) ?? "a removed host",
    cpuPct: p.cpuPct,
  }));
  return (
    <div className="space-y-4" data-testid="domain-page">
      <header>
        <h1 className="text-2xl font-semibold break-all">{name}</h1>
        <p className="text-sm text-slate-600" data-testid="domain-where">
          {here ? (
            <>
              runs on{" "}
              <Link className="text-sky-800 underline" href={`/hosts/${here.host.id}`}>
                {here.host.name}
              </Link>{" "}
              · {here.host.toolstackLabel} · {stateWords[here.d.state]}
            </>
          ) : images.length > 0 ? (
            "runs on no host: it sits in a saved image (below)"
          ) : (
            "runs on no host Ferry manages"
          )}
        </p>
        {places.length > 1 && (
          <p role="alert" className="mt-1 rounded border border-red-300 bg-red-50 px-2 py-1 text-sm text-red-800">
            {places.length} hosts report this domain: {places.map((p) => p.host.name).join(", ")}. A domain runs on one
            host; check them before moving it.
          </p>
        )}
      </header>
      {hasRole(session.user.role, "operator") && (
        <DomainActions
          here={
            here
              ? {
                  domain: here.d,
                  host: { id: here.host.id, name: here.host.name, toolstack: here.host.toolstack },
                  dirs: imageDirsOf(here.host),
                  powerable: Boolean(driverOf(here.host.toolstack).power),
                }
              : null
          }
          hosts={inventory
            .snapshot()
            .map((h) => ({ id: h.id, name: h.name, status: h.status, toolstack: h.toolstack }))}
          images={images}
        />
      )}
      {here && (
        <section className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="domain-facts">
          <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1">
            <dt className="text-slate-600">UUID</dt>
            <dd className="font-mono text-xs break-all">{here.d.uuid ?? "—"}</dd>
            <dt className="text-slate-600">memory</dt>
            <dd>{formatMiB(here.d.memoryMiB)}</dd>
            <dt className="text-slate-600">vCPUs</dt>
            <dd>{here.d.vcpus}</dd>
            <dt className="text-slate-600">state</dt>
            <dd>
              {stateWords[here.d.state]} <span className="font-mono text-xs">({here.d.stateLetters})</span>
            </dd>
            <dt className="text-slate-600">CPU time</dt>
            <dd>{here.d.cpuSeconds.toFixed(1)} s</dd>
            <dt className="text-slate-600">up</dt>
            <dd>{formatUptime(here.d.uptimeSeconds)}</dd>
            <dt className="text-slate-600">disks</dt>
            <dd className="break-all">
              {here.d.disks.length ? here.d.disks.map((d) => `${d.vdev}: ${d.path}`).join(", ") : "—"}
            </dd>
          </dl>
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-3">
        <h2 className="mb-1 text-sm font-semibold">Memory over time</h2>
        <DomainMemoryChart points={samples} name={name} />
      </section>
      {here && (
        <section className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 className="mb-1 text-sm font-semibold">CPU over time</h2>
          <DomainCpuChart points={samples} vcpus={here.d.vcpus} />
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="domain-images">
        <h2 className="text-sm font-semibold">Saved images ({images.length})</h2>
        <ul className="mt-1 text-sm">
          {images.map((i) => (
            <li key={i.id} className="break-all">
              {i.path} on {i.hostName} · {formatBytes(i.sizeBytes)} · {i.integrity}
            </li>
          ))}
          {images.length === 0 && <li className="text-slate-600">None in the catalog.</li>}
        </ul>
        {images.length > 0 && (
          <Link className="text-sm text-sky-800 underline" href="/images">
            Restore from the Images page
          </Link>
        )}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-3" data-testid="domain-jobs">
        <h2 className="text-sm font-semibold">Moves of {name}</h2>
        <MovesTable jobs={moves} label={`Moves of ${name}`} />
      </section>
    </div>
  );
}
