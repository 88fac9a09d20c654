"use client";
import { LocalTime, TimeAgo } from "../time";
import { memo, useCallback } from "react";
import { useInView } from "react-intersection-observer";
import { domainKey } from "./domain-key";
import { useDroppable } from "@dnd-kit/core";
import type { HostView } from "@/lib/inventory/types";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB } from "@/lib/format";
import { DomainCard } from "./domain-card";
import { agingFrom } from "./uptime";
import { MemoryBar } from "./memory-bar";
import { ImageDirWarning } from "./image-dir-warning";
import { HostProblems } from "./host-problems";
import type { Selection } from "./selection";
import { ColumnPlaceholder, estimatedPx, type ColumnSizes } from "./column-placeholder";

const statusLook = {
  online: { dot: "bg-emerald-500", text: "online" },
  connecting: { dot: "bg-amber-400 animate-pulse", text: "connecting…" },
  unreachable: { dot: "bg-red-500", text: "unreachable" },
} as const;

export interface DropState {
  status: "checking" | "ok" | "warn" | "fail";
  reason: string;
}

type SaveFn = (d: DomainInfo, hostId: string) => void;

/**
 * A host and its domains — rendered only while the column is within a screen's height of the viewport (or the whole
 * cluster is small, or the dragged domain is on it): dnd-kit renders every droppable and draggable again on each
 * pointer move of a drag, and 20,000 cards cost seconds to render and to hydrate. Farther away a column is a
 * placeholder of the size it last had (./column-placeholder.tsx). `eager` columns — the first screenful, the same on
 * the server and in the browser — start rendered.
 */
export const HostColumn = memo(function HostColumn({
  host,
  everything,
  eager,
  holding,
  sizes,
  ...column
}: ColumnProps & {
  /** a small cluster: every column rendered wherever it is (the browser's find-in-page sees every card) */
  everything: boolean;
  eager: boolean;
  /** the domain being dragged is on this host (its card must stay mounted) */
  holding: boolean;
  sizes: ColumnSizes;
}) {
  const shown = shownGuests(host, column.match).length;
  const { ref, inView } = useInView({
    rootMargin: "100% 0px",
    initialInView: eager,
    skip: everything,
    // the size a column had as it left, for its placeholder
    onChange: (near, entry) => {
      if (!near) sizes.set(host.id, { shown, px: entry.boundingClientRect.height });
    },
  });
  if (everything || inView || holding) return <LiveColumn host={host} nodeRef={ref} {...column} />;
  const kept = sizes.get(host.id);
  return <ColumnPlaceholder host={host} nodeRef={ref} px={kept?.shown === shown ? kept.px : estimatedPx(shown)} />;
});

interface ColumnProps {
  host: HostView;
  /** render only this many cards, and room for the rest (the page's first render: ./first-screen.ts EAGER_CARDS) */
  firstCards?: number;
  canMigrate: boolean;
  drop: DropState | null;
  onSave?: SaveFn;
  /** the Cluster page's filter: which of this host's domains to show (null: all) */
  match: DomainMatch | null;
  /** the domains the operator selected to move together (keyed by domainKey) */
  selection: Selection;
  onSelect?: SaveFn;
}

function LiveColumn({ host, drop, nodeRef, ...body }: ColumnProps & { nodeRef: (n: HTMLElement | null) => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: host.id, data: { hostId: host.id } });
  const ref = useCallback(
    (node: HTMLElement | null) => {
      nodeRef(node);
      setNodeRef(node);
    },
    [nodeRef, setNodeRef],
  );
  return (
    <section
      ref={ref}
      className={`relative flex flex-col rounded-lg border bg-white shadow-sm [content-visibility:auto] ${host.status === "unreachable" ? "border-red-300" : "border-slate-200"} ${isOver ? "ring-2 ring-sky-400" : ""}`}
      // the browser lays out and paints only columns near the screen; off screen a column keeps its size
      style={{ containIntrinsicSize: `auto ${estimatedPx(host.domains.length)}px` }}
      data-testid={`host-${host.name}`}
      data-status={host.status}
      aria-label={`host ${host.name}`}
    >
      {drop && <DropBanner drop={drop} />}
      <HostBody host={host} {...body} />
    </section>
  );
}

/** a card's height and the gap after it, as the page draws them at every width (a name that wraps adds a line) */
const CARD_PX = 96;

/** The guest domains a column shows: every one but Domain-0, narrowed by the Find. */
const shownGuests = (host: HostView, match: DomainMatch | null) => {
  const guests = host.domains.filter((d) => d.id !== 0);
  return match ? guests.filter((d) => match(d, host)) : guests;
};

/** The Cluster page's filter for one host's domains. */
export type DomainMatch = (d: DomainInfo, host: HostView) => boolean;

const HostBody = memo(function HostBody({
  host,
  firstCards,
  canMigrate,
  onSave,
  match,
  selection,
  onSelect,
}: Omit<ColumnProps, "drop">) {
  const look = statusLook[host.status];
  const dom0 = host.domains.find((d) => d.id === 0);
  const allGuests = host.domains.filter((d) => d.id !== 0);
  const guests = shownGuests(host, match);
  const hidden = allGuests.length - guests.length;
  const listed = firstCards === undefined ? guests : guests.slice(0, firstCards);
  const f = host.facts;
  return (
    <>
      <header className="border-b border-slate-100 p-4">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">
            <a href={`/hosts/${host.id}`} className="hover:underline" data-testid="host-page-link">
              {host.name}
            </a>
          </h2>
          <span className="flex items-center gap-1.5 text-xs font-medium text-slate-700" data-testid="host-status">
            <span className={`h-2.5 w-2.5 rounded-full ${look.dot}`} /> {look.text}
          </span>
        </div>
        <p className="flex flex-wrap items-center justify-between gap-1 text-xs text-slate-500">
          <span>
            {host.user}@{host.address}:{host.port}
          </span>
          <a
            href={`/hosts/${host.id}/maintenance`}
            className="text-sky-800 underline"
            data-testid="host-maintenance-link"
            onPointerDown={(e) => e.stopPropagation()}
          >
            Maintenance…
          </a>
        </p>
        {host.maintenance && (
          <p
            className="mt-1 rounded bg-amber-100 px-2 py-1 text-xs font-medium text-amber-900"
            data-testid="host-maintenance"
          >
            In maintenance since <LocalTime iso={host.maintenance.since} /> ({host.maintenance.by}): receives nothing.
          </p>
        )}
        {f ? (
          <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-slate-600">
            <dt>toolstack</dt>
            <dd data-testid="host-toolstack">
              {f.toolstack} · {f.hypervisor} {f.hypervisorVersion}
            </dd>
            <dt>CPU</dt>
            <dd>
              {f.arch} · {f.virtExtensions.length ? f.virtExtensions.join(", ") : "no VT-x/AMD-V"} · {f.nrCpus} CPUs
            </dd>
            {dom0 && (
              <>
                <dt>Domain-0</dt>
                <dd>
                  {formatMiB(dom0.memoryMiB)} · {dom0.vcpus} vCPUs
                </dd>
              </>
            )}
          </dl>
        ) : (
          <p className="mt-2 text-xs text-slate-500">
            {host.status === "connecting" ? "Reading the host…" : "Never reached: no facts yet."}
          </p>
        )}
        {f && (
          <MemoryBar
            facts={f}
            memoryModel={host.capabilities.memoryModel}
            dom0MiB={dom0?.memoryMiB ?? 0}
            guestsMiB={guests.filter((d) => d.id >= 0).reduce((s, d) => s + d.memoryMiB, 0)}
          />
        )}
        {f && <ImageDirWarning dir={f.imageDir} />}
        <HostProblems host={host} />
        {host.status === "unreachable" && (
          <p
            role="status"
            className="mt-3 rounded bg-red-50 px-2 py-1.5 text-xs text-red-800"
            data-testid="host-reason"
          >
            {host.reason}{" "}
            <span className="text-red-600">
              (last seen <TimeAgo iso={host.lastSeenAt} />)
            </span>
          </p>
        )}
      </header>
      <ul className={`flex min-h-24 flex-col gap-2 p-3 ${host.stale ? "opacity-50" : ""}`} data-testid="domain-list">
        {listed.map((d) => (
          <DomainCard
            key={domainKey(host.id, d)}
            domain={d}
            hostId={host.id}
            seenAt={agingFrom(host)}
            draggable={canMigrate && host.status === "online" && (d.state === "running" || d.state === "idle")}
            onSave={onSave}
            selected={selection.has(domainKey(host.id, d))}
            onSelect={onSelect}
          />
        ))}
        {listed.length < guests.length && (
          // the room the cards still to come take, so nothing below moves when they do
          <li aria-hidden style={{ height: (guests.length - listed.length) * CARD_PX }} data-testid="cards-to-come" />
        )}
        {hidden > 0 && (
          <li className="text-xs text-slate-500" data-testid="hidden-by-filter">
            {hidden} more not matching the filter
          </li>
        )}
        {allGuests.length === 0 && (
          <li className="flex flex-1 items-center justify-center rounded border border-dashed border-slate-200 p-4 text-xs text-slate-500">
            {host.status === "online"
              ? "No guest domains"
              : host.status === "connecting"
                ? "Loading domains…"
                : "Domains unknown while unreachable"}
          </li>
        )}
      </ul>
    </>
  );
});

const dropLook = {
  checking: "border-slate-300 bg-white/95 text-slate-700",
  ok: "border-emerald-400 bg-emerald-50/95 text-emerald-900",
  warn: "border-amber-400 bg-amber-50/95 text-amber-900",
  fail: "border-red-400 bg-red-50/95 text-red-900",
} as const;

/** While a domain is dragged over this host: the pre-flight verdict, before the drop. */
/** The hovered host's verdict, below its name (the operator reads which host it is about), over its other facts. */
function DropBanner({ drop }: { drop: DropState }) {
  const icon = { checking: "…", ok: "✓", warn: "!", fail: "✗" }[drop.status];
  return (
    <div
      className={`absolute inset-x-2 top-11 z-20 rounded-md border px-2 py-1.5 text-xs shadow ${dropLook[drop.status]}`}
      data-testid="drop-verdict"
      data-verdict={drop.status}
    >
      <b>{icon}</b> {drop.reason}
    </div>
  );
}
