"use client";
import { useDraggable } from "@dnd-kit/core";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { formatMiB, formatUptime, stateWords } from "@/lib/format";

const stateLook: Record<string, string> = {
  running: "bg-emerald-100 text-emerald-800",
  idle: "bg-emerald-50 text-emerald-700",
  paused: "bg-amber-100 text-amber-800",
  suspended: "bg-amber-100 text-amber-800",
  "migrating-in": "bg-sky-100 text-sky-800",
  "migrating-out": "bg-sky-100 text-sky-800",
  crashed: "bg-red-100 text-red-800",
};

export interface DragData { domain: DomainInfo; sourceId: string }

/** A domain; operators drag it onto another host (pointer or keyboard: focus, Space, arrows, Space). */
export function DomainCard({ domain, hostId, draggable: canDrag, onSave }: { domain: DomainInfo; hostId: string; draggable: boolean; onSave?: () => void }) {
  // a libvirt domain that is only defined (id -1, "shut off") does not run here: nothing to migrate or save
  const inactive = domain.id < 0;
  const draggable = canDrag && !inactive;
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `${hostId}:${domain.name}`, data: { domain, sourceId: hostId } satisfies DragData, disabled: !draggable,
  });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  return (
    <li ref={setNodeRef} style={style} {...(draggable ? listeners : {})} {...(draggable ? attributes : {})}
      className={`rounded-md border border-slate-200 ${inactive ? "bg-white opacity-70" : "bg-slate-50"} p-2.5 ${draggable ? "cursor-grab touch-none" : ""} ${isDragging ? "relative z-10 shadow-lg ring-2 ring-sky-400" : ""}`}
      data-testid={`domain-${domain.name}`} aria-label={draggable ? `${domain.name}: drag onto another host to migrate` : domain.name}>
      <div className="flex items-start justify-between gap-2">
        <span className="break-all text-sm font-medium">{domain.name}</span>
        <span className={`shrink-0 rounded px-1.5 py-0.5 text-[11px] font-medium ${stateLook[domain.state] ?? "bg-slate-200 text-slate-700"}`}
          title={`state as the toolstack prints it: ${domain.stateLetters}`} data-testid="domain-state">
          {inactive ? `defined, ${domain.stateLetters}` : stateWords[domain.state]}
        </span>
      </div>
      <p className="mt-1 text-xs text-slate-600">
        id {inactive ? "–" : domain.id} · {formatMiB(domain.memoryMiB)} · {domain.vcpus} vCPU{domain.vcpus === 1 ? "" : "s"}{domain.uptimeSeconds !== null && <> · up {formatUptime(domain.uptimeSeconds)}</>}
      </p>
      {onSave && draggable && (
        <button onClick={onSave} onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}
          className="mt-1.5 rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100" data-testid="domain-save">Save to disk…</button>
      )}
    </li>
  );
}
