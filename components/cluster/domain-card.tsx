"use client";
import { memo } from "react";
import { useDraggable } from "@dnd-kit/core";
import type { DomainInfo } from "@/lib/toolstacks/types";
import Link from "next/link";
import { formatMiB, stateWords } from "@/lib/format";
import { domainHref } from "@/lib/domain-href";
import { domainKey } from "./domain-key";
import { Uptime } from "./uptime";

const stateLook: Record<string, string> = {
  running: "bg-emerald-100 text-emerald-800",
  idle: "bg-emerald-50 text-emerald-700",
  paused: "bg-amber-100 text-amber-800",
  suspended: "bg-amber-100 text-amber-800",
  "migrating-in": "bg-sky-100 text-sky-800",
  "migrating-out": "bg-sky-100 text-sky-800",
  crashed: "bg-red-100 text-red-800",
};

export interface DragData {
  domain: DomainInfo;
  sourceId: string;
  /** when its host was read (its uptime is aged from then) */
  seenAt: string | null;
}

/**
 * A domain; operators drag it onto another host (pointer or keyboard: focus, Space, arrows, Space). Only columns
 * near the screen render their cards (./host-column.tsx), so every card rendered holds the drag hook. The content
 * is memoized.
 */
export function DomainCard({
  domain,
  hostId,
  seenAt,
  draggable: canDrag,
  onSave,
  selected,
  onSelect,
}: {
  domain: DomainInfo;
  hostId: string;
  /** when the host was read: the domain's uptime is aged from then (null: shown as read; ./uptime.tsx agingFrom) */
  seenAt: string | null;
  draggable: boolean;
  onSave?: SaveFn;
  /** in the operator's selection (to move several together) */
  selected: boolean;
  onSelect?: SaveFn;
}) {
  // a libvirt domain that is only defined (id -1, "shut off") does not run here: nothing to migrate or save
  const inactive = domain.id < 0;
  const draggable = canDrag && !inactive;
  const body = (
    <CardBody
      domain={domain}
      hostId={hostId}
      seenAt={seenAt}
      inactive={inactive}
      onSave={draggable ? onSave : undefined}
      selected={selected}
      onSelect={draggable ? onSelect : undefined}
    />
  );
  if (draggable)
    return (
      <DraggableCard domain={domain} hostId={hostId} seenAt={seenAt}>
        {body}
      </DraggableCard>
    );
  return (
    <li className={cardClass(inactive, false, false)} data-testid={`domain-${domain.name}`} aria-label={domain.name}>
      {body}
    </li>
  );
}

/** What follows the pointer during a drag (rendered by the cluster's DragOverlay, above every column). */
export function DragPreview({ domain, seenAt }: { domain: DomainInfo; seenAt: string | null }) {
  return (
    <div className={`${cardClass(false, true, true)} cursor-grabbing`} data-testid="drag-preview">
      <CardBody domain={domain} hostId="" seenAt={seenAt} inactive={false} selected={false} />
    </div>
  );
}

type SaveFn = (d: DomainInfo, hostId: string) => void;

const cardClass = (inactive: boolean, draggable: boolean, dragging: boolean) =>
  `rounded-md border border-slate-200 ${inactive ? "border-dashed bg-white" : "bg-slate-50"} p-2.5 ${draggable ? "cursor-grab touch-manipulation" : ""} ${dragging ? "relative z-10 shadow-lg ring-2 ring-sky-400" : ""}`;

// the card stays in place (dimmed) while its copy in the cluster's DragOverlay follows the pointer: a column
// contains its paint (content-visibility), so a card moved by transform would vanish at the column's edge
function DraggableCard({
  domain,
  hostId,
  seenAt,
  children,
}: {
  domain: DomainInfo;
  hostId: string;
  seenAt: string | null;
  children: React.ReactNode;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: domainKey(hostId, domain),
    data: { domain, sourceId: hostId, seenAt } satisfies DragData,
    // a list item that can be picked up (Space), not a button: its Save button is not nested in another control
    attributes: { role: "listitem", roleDescription: "draggable domain" },
  });
  return (
    <li
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      className={`${cardClass(false, true, false)} ${isDragging ? "opacity-40" : ""}`}
      data-testid={`domain-${domain.name}`}
      data-drag-ready=""
      aria-label={`${domain.name}: drag onto another host to migrate`}
    >
      {children}
    </li>
  );
}

const CardBody = memo(
  function CardBody({
    domain,
    hostId,
    seenAt,
    inactive,
    onSave,
    selected,
    onSelect,
  }: {
    domain: DomainInfo;
    hostId: string;
    seenAt: string | null;
    inactive: boolean;
    onSave?: SaveFn;
    selected: boolean;
    onSelect?: SaveFn;
  }) {
    return (
      <>
        <div className="flex items-start justify-between gap-2">
          {onSelect && (
            <input
              type="checkbox"
              className="mt-0.5 h-4 w-4 shrink-0 accent-sky-700"
              checked={selected}
              onChange={() => onSelect(domain, hostId)}
              onPointerDown={(e) => e.stopPropagation()}
              onKeyDown={(e) => e.stopPropagation()}
              aria-label={`Select ${domain.name} to move it with others`}
              data-testid="domain-select"
            />
          )}
          <span className="mr-auto break-all text-sm font-medium">{domain.name}</span>
          <span
            className={`shrink-0 rounded px-1.5 py-0.5 text-[11px] font-medium ${stateLook[domain.state] ?? "bg-slate-200 text-slate-700"}`}
            title={`state as the toolstack prints it: ${domain.stateLetters}`}
            data-testid="domain-state"
            data-state={inactive ? "defined" : domain.state}
          >
            {inactive ? `defined, ${domain.stateLetters}` : stateWords[domain.state]}
          </span>
        </div>
        <p className="mt-1 text-xs text-slate-600">
          id {inactive ? "–" : domain.id} · {formatMiB(domain.memoryMiB)} · {domain.vcpus} vCPU
          {domain.vcpus === 1 ? "" : "s"}
          {domain.uptimeSeconds !== null && (
            <>
              {" "}
              · up <Uptime seconds={domain.uptimeSeconds} seenAt={seenAt} />
            </>
          )}
        </p>
        <div className="mt-1.5 flex flex-wrap items-center gap-2">
          {onSave && (
            <button
              type="button"
              onClick={() => onSave(domain, hostId)}
              onPointerDown={(e) => e.stopPropagation()}
              onKeyDown={(e) => e.stopPropagation()}
              className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100"
              data-testid="domain-save"
            >
              Save to disk…
            </button>
          )}
          {hostId && (
            <Link
              href={domainHref(domain)}
              prefetch={false}
              onPointerDown={(e) => e.stopPropagation()}
              onKeyDown={(e) => e.stopPropagation()}
              className="text-xs text-sky-800 underline"
              aria-label={`Details of ${domain.name}`}
              data-testid="domain-details"
            >
              Details
            </Link>
          )}
        </div>
      </>
    );
  },
  (a, b) =>
    a.hostId === b.hostId &&
    a.seenAt === b.seenAt &&
    a.inactive === b.inactive &&
    a.onSave === b.onSave &&
    a.selected === b.selected &&
    a.onSelect === b.onSelect &&
    sameCard(a.domain, b.domain),
);

/**
 * A host's new view brings new domain objects; a card renders again only when what it shows changed (its uptime
 * ages by itself: ./uptime.tsx).
 */
function sameCard(a: DomainInfo, b: DomainInfo): boolean {
  return (
    a.name === b.name &&
    a.uuid === b.uuid &&
    a.id === b.id &&
    a.state === b.state &&
    a.stateLetters === b.stateLetters &&
    a.memoryMiB === b.memoryMiB &&
    a.vcpus === b.vcpus &&
    a.uptimeSeconds === b.uptimeSeconds
  );
}
