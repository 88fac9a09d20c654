"use client";
import { useRef, useState } from "react";
import type { DragEndEvent, DragOverEvent, DragStartEvent } from "@dnd-kit/core";
import { quickMigrationVerdict } from "@/lib/checks/quick";
import type { HostView } from "@/lib/inventory/types";
import { checkMigration } from "../jobs/api";
import type { MigrateTarget } from "../jobs/migrate-dialog";
import type { DragData } from "./domain-card";
import type { DropState } from "./host-column";
import { verdict } from "./verdict";

/**
 * A drag on the Cluster page: checks start when a domain is dragged over a host, so the verdict is there before the
 * drop. A host the browser can already refuse (the source itself, one in maintenance, offline, no room) is not asked
 * of the server: its checks would measure the source's link and dirty rate for a drop that cannot happen (and a
 * dirty-rate measurement QEMU refuses while another runs). A drop opens the migrate dialog (`onDrop`).
 */
export function useDragChecks(hosts: HostView[], onDrop: (t: MigrateTarget) => void) {
  const [dragging, setDragging] = useState<DragData | null>(null);
  const [overHost, setOverHost] = useState<string | null>(null);
  /** the targets asked about during this drag (their verdicts are in `drops`) */
  const asked = useRef(new Set<string>());
  const [drops, setDrops] = useState<Record<string, DropState>>({});

  const checksFor = (data: DragData, targetId: string) => {
    const key = `${data.sourceId}|${data.domain.name}|${targetId}`;
    if (asked.current.has(key)) return;
    asked.current.add(key);
    // what the browser can tell at once, until the server's full checks arrive
    const source = hosts.find((h) => h.id === data.sourceId);
    const target = hosts.find((h) => h.id === targetId);
    const quick = source && target ? quickMigrationVerdict(data.domain, source, target) : null;
    if (quick?.status === "fail") {
      setDrops((d) => ({ ...d, [targetId]: { status: "fail", reason: quick.reason } }));
      return;
    }
    setDrops((d) => ({ ...d, [targetId]: { status: "checking", reason: quick ? quick.reason : "Checking…" } }));
    checkMigration(data.domain.name, data.sourceId, targetId).then(
      (r) => setDrops((d) => ({ ...d, [targetId]: verdict(r.checks) })),
      (e: Error) => setDrops((d) => ({ ...d, [targetId]: { status: "fail", reason: e.message } })),
    );
  };
  const end = () => {
    setDragging(null);
    setOverHost(null);
  };
  return {
    dragging,
    /** the banner a host shows now: only the one hovered, during a drag, other than the source */
    dropFor: (hostId: string): DropState | null =>
      dragging && overHost === hostId && hostId !== dragging.sourceId
        ? (drops[hostId] ?? { status: "checking", reason: "Checking…" })
        : null,
    onDragStart: (e: DragStartEvent) => {
      asked.current.clear();
      setDrops({});
      setDragging(e.active.data.current as DragData);
    },
    onDragOver: (e: DragOverEvent) => {
      const target = e.over ? String(e.over.id) : null;
      setOverHost(target);
      if (target && dragging) checksFor(dragging, target);
    },
    onDragEnd: (e: DragEndEvent) => {
      const data = e.active.data.current as DragData;
      const targetId = e.over ? String(e.over.id) : null;
      end();
      if (!targetId || targetId === data.sourceId) return;
      const source = hosts.find((h) => h.id === data.sourceId);
      const target = hosts.find((h) => h.id === targetId);
      if (source && target)
        onDrop({
          domain: data.domain,
          sourceId: source.id,
          sourceName: source.name,
          targetId: target.id,
          targetName: target.name,
        });
    },
    onDragCancel: end,
  };
}
