"use client";
import { count, countDomains } from "@/lib/format";
import Link from "next/link";
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { useInventory } from "../use-inventory";
import { StreamBadge } from "./stream-badge";
import { makeAnnouncements, screenReaderInstructions } from "./drag-announcements";
import { HostColumn } from "./host-column";
import { ColumnPlaceholder, estimatedPx, type ColumnSizes } from "./column-placeholder";
import { EAGER_CARDS, firstScreenful } from "./first-screen";
import type { HostOutline } from "@/lib/inventory/outline";
import { DragPreview } from "./domain-card";
import { DomainTable } from "./domain-table";
import { FindBar, type ClusterLayout } from "./find-bar";
import { hostsForFind, matchOf, noFind } from "./find";
import { JobPanel } from "./job-panel";
import { useDragChecks } from "./use-drag-checks";
import { noSelection, stillThere, toggled, withAll, type Selection } from "./selection";
import { SelectionBar } from "./selection-bar";
import { JobNotices } from "../jobs/notices";
import type { MigrateTarget } from "../jobs/migrate-dialog";
import { GroupMoveDialog, MigrateDialog, preloadDialogs, SaveDialog } from "./dialogs";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { useStored } from "../ui/use-stored";
import type { GroupSelection } from "../evacuate/api";
import type { DomainInfo } from "@/lib/toolstacks/types";
import type { HostView } from "@/lib/inventory/types";
import type { JobSummary } from "@/lib/jobs/types";

const GRID = "grid gap-4 [grid-template-columns:repeat(auto-fill,minmax(300px,1fr))]";
const readLayout = (kept: unknown) => (kept === "table" || kept === "cards" ? kept : null);

/**
 * The Cluster page: every host and its domains, live. Drag a domain onto a host (or choose it in the table) to
 * migrate it; select several to move them together; Find narrows what is shown.
 */
export function ClusterView({
  initialHosts,
  initialOutline,
  initialJobs,
  initialRefresh,
  canMigrate,
  sharedImageDirs,
}: {
  /** the first screenful of hosts, whole (./first-screen.ts) */
  initialHosts: HostView[];
  /** the other hosts, until the live stream brings them */
  initialOutline: HostOutline[];
  initialJobs: JobSummary[];
  /** the inventory's last whole refresh when the page was rendered */
  initialRefresh: { at: string; ms: number } | null;
  canMigrate: boolean;
  sharedImageDirs: string[];
}) {
  const { hosts, pending, jobs, stream, lastRefresh, refresh } = useInventory(
    initialHosts,
    initialJobs,
    initialOutline,
    initialRefresh,
  );
  const [saving, setSaving] = useState<{ domain: DomainInfo; hostId: string } | null>(null);
  // one callback for every card (memoized cards keep it across renders)
  const onSave = useCallback((domain: DomainInfo, hostId: string) => setSaving({ domain, hostId }), []);
  const savingHost = saving ? hosts.find((h) => h.id === saving.hostId) : undefined;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<MigrateTarget | null>(null);
  const drag = useDragChecks(hosts, setDialog);
  const sensors = useSensors(
    // a mouse drags after 4 px; a finger after a press-and-hold (a swipe that starts on a card scrolls the page)
    useSensor(MouseSensor, { activationConstraint: { distance: 4 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 300, tolerance: 8 } }),
    useSensor(KeyboardSensor),
  );
  const online = useMemo(() => [...hosts, ...pending].filter((h) => h.status === "online").length, [hosts, pending]);
  const hostNames = useMemo(() => new Map(hosts.map((h) => [h.id, h.name])), [hosts]);
  const [find, setFind] = useState(noFind);
  const match = useMemo(() => matchOf(find), [find]);
  const { found, others } = useMemo(() => hostsForFind(hosts, find, match), [hosts, find, match]);
  const shownHosts = useMemo(() => [...found, ...others], [found, others]);
  const eager = useMemo(() => firstScreenful(shownHosts), [shownHosts]);
  // the first render (the server's, and the browser's hydration) brings a first-screen column's first cards only
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => startTransition(() => setHydrated(true)), []);
  // what Find found is a grid of its own above the others: the others keep their order (no column is moved)
  const columns = (list: HostView[], from: number) =>
    list.map((h, i) => (
      <HostColumn
        key={h.id}
        host={h}
        match={match}
        everything={everything}
        eager={from + i < eager}
        firstCards={hydrated || everything ? undefined : EAGER_CARDS}
        holding={drag.dragging?.sourceId === h.id}
        sizes={sizes}
        canMigrate={canMigrate}
        onSave={canMigrate ? onSave : undefined}
        selection={selection}
        onSelect={canMigrate ? onSelect : undefined}
        drop={drag.dropFor(h.id)}
      />
    ));
  const domains = useMemo(() => countDomains(hosts) + pending.reduce((n, o) => n + o.guests, 0), [hosts, pending]);
  const everything = useMemo(() => pending.length === 0 && firstScreenful(hosts) === hosts.length, [hosts, pending]);
  // the heights of columns that left the screen, kept for their placeholders
  const sizes = useRef<ColumnSizes>(new Map()).current;
  // cards (drag and drop) or the compact table for large clusters; the choice is kept in this browser
  const [view, setView] = useStored<ClusterLayout>("ferry.clusterView", "cards", readLayout);

  // several domains moved together: the selection, then the plan in a dialog
  const [selection, setSelection] = useState<Selection>(noSelection);
  const onSelect = useCallback((d: DomainInfo, hostId: string) => setSelection((s) => toggled(s, d, hostId)), []);
  useEffect(() => setSelection((s) => stillThere(s, hosts)), [hosts]);
  const [group, setGroup] = useState<GroupSelection | null>(null);

  const onRefresh = async () => {
    setBusy(true);
    setError(null);
    try {
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // when React has taken over the server-rendered page (ms since navigation): bench:ui reports it
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    root.current?.setAttribute("data-hydrated-at", String(Math.round(performance.now())));
  }, []);
  // the dialogs a drop or a Save opens: fetched when the page is idle with every host in it (not while the live
  // stream's snapshot is on its way: the page waits for it to be usable), so the first one opens at once
  const whole = pending.length === 0;
  useEffect(() => {
    if (!canMigrate || !whole) return;
    if (typeof requestIdleCallback !== "function") {
      const t = setTimeout(preloadDialogs, 2000);
      return () => clearTimeout(t);
    }
    const id = requestIdleCallback(preloadDialogs, { timeout: 5000 });
    return () => cancelIdleCallback(id);
  }, [canMigrate, whole]);

  return (
    <div ref={root} data-testid="cluster">
      {/* the summary's words change as the stream brings the hosts the page left as outlines: it wraps in its own
          room (three lines kept on such a page on a phone, two wider), the badge and the button beside it, so the
          hosts below do not move */}
      <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0 flex-1 basis-72">
          <h1 className="text-2xl font-semibold">Cluster</h1>
          <p
            className={`text-sm text-slate-600 ${initialOutline.length ? "min-h-15 sm:min-h-10" : ""}`}
            data-testid="cluster-summary"
          >
            {count(hosts.length + pending.length, "host")} · {online} online · {count(domains, "domain")}
            {pending.length > 0 && <> · reading {count(pending.length, "more host")} from the live stream…</>}
            {lastRefresh && <> · last refresh {Math.round(lastRefresh.ms)} ms</>}
            {canMigrate && hosts.length > 1 && <> · drag a domain onto another host to migrate it, or select several</>}
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-3">
          <StreamBadge status={stream} />
          <Button onClick={onRefresh} disabled={busy} data-testid="refresh">
            {busy ? "Refreshing…" : "Refresh now"}
          </Button>
        </div>
      </div>
      {error && (
        <Alert tone="error" className="mb-4">
          {error}
        </Alert>
      )}
      {hosts.length > 0 && <FindBar hosts={hosts} find={find} onFind={setFind} view={view} onView={setView} />}
      {selection.size > 0 && (
        <SelectionBar
          selection={selection}
          hosts={hosts}
          onClear={() => setSelection(noSelection)}
          onPlan={(targetId) =>
            setGroup({
              domains: [...selection.values()].map((p) => ({ domain: p.domain, hostId: p.hostId })),
              ...(targetId ? { targetId } : {}),
            })
          }
        />
      )}
      <JobPanel jobs={jobs} canCancel={canMigrate} dragging={drag.dragging !== null} />
      {hosts.length === 0 ? (
        <EmptyState
          title="No hosts yet"
          testId="cluster-empty"
          action={
            <Link
              href="/hosts"
              className="inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800"
            >
              Add a host
            </Link>
          }
        >
          Add a host over SSH (Xen with xl or xm, or libvirt/KVM) and its domains appear here, live.
        </EmptyState>
      ) : view === "table" ? (
        <DomainTable
          hosts={shownHosts}
          match={match}
          canMigrate={canMigrate}
          onSave={canMigrate ? onSave : undefined}
          selection={canMigrate ? selection : undefined}
          onSelect={onSelect}
          onSelectAll={(rows, on) => setSelection((s) => withAll(s, rows, on))}
          onMove={(domain, source, target) =>
            setDialog({
              domain,
              sourceId: source.id,
              sourceName: source.name,
              targetId: target.id,
              targetName: target.name,
            })
          }
        />
      ) : (
        <DndContext
          sensors={sensors}
          accessibility={{ announcements: makeAnnouncements(hostNames), screenReaderInstructions }}
          onDragStart={(e) => {
            preloadDialogs(); // a drop opens the migration dialog: its script, if the idle page has not fetched it
            drag.onDragStart(e);
          }}
          onDragOver={drag.onDragOver}
          onDragEnd={drag.onDragEnd}
          onDragCancel={drag.onDragCancel}
        >
          {found.length > 0 && (
            <div className={`mb-4 ${GRID}`} data-testid="found-hosts">
              {columns(found, 0)}
            </div>
          )}
          <div className={GRID}>
            {columns(others, found.length)}
            {pending
              .filter((o) => !find.toolstack || o.toolstackLabel === find.toolstack)
              .map((o) => (
                <ColumnPlaceholder key={o.id} host={o} px={estimatedPx(o.guests)} />
              ))}
          </div>
          <DragOverlay dropAnimation={null}>
            {drag.dragging ? <DragPreview domain={drag.dragging.domain} seenAt={drag.dragging.seenAt} /> : null}
          </DragOverlay>
        </DndContext>
      )}
      {saving && savingHost && (
        <SaveDialog
          domain={saving.domain}
          hostId={savingHost.id}
          hostName={savingHost.name}
          onClose={() => setSaving(null)}
          dirs={[...new Set([savingHost.imageDir, ...sharedImageDirs])]}
        />
      )}
      <JobNotices jobs={jobs} title="Cluster · Ferry" />
      {dialog && (
        <MigrateDialog
          target={dialog}
          initialChecks={null}
          onClose={() => setDialog(null)}
          onStarted={() => setDialog(null)}
        />
      )}
      {group && <GroupMoveDialog selection={group} onClose={() => setGroup(null)} />}
    </div>
  );
}
