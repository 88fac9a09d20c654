"use client";
import { count, countDomains, stateWords } from "@/lib/format";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { useInventory } from "../use-inventory";
import { StreamBadge } from "./stream-badge";
import { makeAnnouncements, screenReaderInstructions } from "./drag-announcements";
import { HostColumn, type DomainMatch, type DropState } from "./host-column";
import { DragPreview, type DragData } from "./domain-card";
import { DomainTable } from "./domain-table";
import { JobCard } from "../jobs/job-card";
import { JobNotices } from "../jobs/notices";
import { MigrateDialog, type MigrateTarget } from "../jobs/migrate-dialog";
import { checkMigration, startedHere } from "../jobs/api";
import { quickMigrationVerdict } from "@/lib/checks/quick";
import { SaveDialog } from "../jobs/save-dialog";
import type { DomainInfo } from "@/lib/toolstacks/types";
import type { HostView } from "@/lib/inventory/types";
import type { Check } from "@/lib/checks/migration";
import { isFinal, type JobSummary } from "@/lib/jobs/types";

/** Host columns whose cards are draggable from the first render (more than a screenful at any width). */
const EAGER_HOSTS = 24;

function verdict(checks: Check[]): DropState {
  const fail = checks.find((c) => c.status === "fail");
  if (fail) return { status: "fail", reason: fail.reason };
  const warn = checks.find((c) => c.status === "warn");
  return warn
    ? { status: "warn", reason: warn.reason }
    : { status: "ok", reason: "All checks pass: drop to review and migrate." };
}

export function ClusterView({
  initialHosts,
  initialJobs,
  canMigrate,
  sharedImageDirs,
}: {
  initialHosts: HostView[];
  initialJobs: JobSummary[];
  canMigrate: boolean;
  sharedImageDirs: string[];
}) {
  const [saving, setSaving] = useState<{ domain: DomainInfo; hostId: string } | null>(null);
  const { hosts, jobs, stream, lastRefresh, refresh } = useInventory(initialHosts, initialJobs);
  // one callback for every card (memoized cards keep it across renders)
  const onSave = useCallback((domain: DomainInfo, hostId: string) => setSaving({ domain, hostId }), []);
  const savingHost = saving ? hosts.find((h) => h.id === saving.hostId) : undefined;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState<DragData | null>(null);
  const [overHost, setOverHost] = useState<string | null>(null);
  const [dialog, setDialog] = useState<MigrateTarget | null>(null);
  /** the targets asked about during this drag (their verdicts are in `drops`) */
  const checkCache = useRef(new Set<string>());
  const [drops, setDrops] = useState<Record<string, DropState>>({});
  const sensors = useSensors(
    // a mouse drags after 4 px; a finger after a press-and-hold (a swipe that starts on a card scrolls the page)
    useSensor(MouseSensor, { activationConstraint: { distance: 4 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 300, tolerance: 8 } }),
    useSensor(KeyboardSensor),
  );
  const online = hosts.filter((h) => h.status === "online").length;
  const hostNames = new Map(hosts.map((h) => [h.id, h.name]));
  // Find: part of a domain's or host's name, a state, a toolstack
  const [find, setFind] = useState({ text: "", state: "", toolstack: "" });
  const match = useMemo<DomainMatch | null>(() => {
    const text = find.text.trim().toLowerCase();
    if (!text && !find.state) return null;
    return (d, h) =>
      (!text || d.name.toLowerCase().includes(text) || h.name.toLowerCase().includes(text)) &&
      (!find.state || d.state === find.state);
  }, [find.text, find.state]);
  const toolstacks = [...new Set(hosts.map((h) => h.toolstackLabel))].sort();
  const states = [...new Set(hosts.flatMap((h) => h.domains.filter((d) => d.id !== 0).map((d) => d.state)))].sort();
  const shownHosts = find.toolstack ? hosts.filter((h) => h.toolstackLabel === find.toolstack) : hosts;
  const domains = countDomains(hosts);
  // running jobs, then the latest finished ones (ten minutes, one row's worth) the operator has not dismissed and saw
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    try {
      setDismissed(new Set(JSON.parse(localStorage.getItem("ferry.dismissedJobs") ?? "[]")));
    } catch {
      // a private window without storage: nothing dismissed
    }
  }, []);
  const dismiss = (id: string) => {
    const next = new Set(dismissed).add(id);
    setDismissed(next);
    try {
      localStorage.setItem("ferry.dismissedJobs", JSON.stringify([...next].slice(-200)));
    } catch {
      // not kept across reloads then
    }
  };
  // cards (drag and drop) or the compact table for large clusters; the choice is kept in this browser
  const [view, setView] = useState<"cards" | "table">("cards");
  useEffect(() => {
    if (localStorage.getItem("ferry.clusterView") === "table") setView("table");
  }, []);
  const chooseView = (v: "cards" | "table") => {
    setView(v);
    try {
      localStorage.setItem("ferry.clusterView", v);
    } catch {
      // not kept across reloads then
    }
  };
  const runningJobs = jobs.filter((j) => !isFinal(j.status));
  // a finished job keeps its card only if this page watched it run, or this tab started it: the rest (other
  // logins', earlier ones) are in the task log at the bottom, not piling up here
  const watched = useRef(new Set<string>());
  for (const j of runningJobs) watched.current.add(j.id);
  const [startedInTab, setStartedInTab] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setStartedInTab(startedHere()), []);
  const shownJobs = [
    ...runningJobs,
    ...jobs
      .filter(
        (j) =>
          isFinal(j.status) &&
          (watched.current.has(j.id) || startedInTab.has(j.id)) &&
          !dismissed.has(j.id) &&
          Date.now() - Date.parse(j.finishedAt ?? j.createdAt) < 10 * 60_000,
      )
      .slice(0, Math.max(0, 4 - runningJobs.length)),
  ];

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

  // Checks start when a domain is dragged over a host, so the verdict is there before the drop. A host the
  // browser can already refuse (the source itself, one in maintenance, offline, no room) is not asked of the
  // server: its checks would measure the source's link and dirty rate for a drop that cannot happen (and a
  // dirty-rate measurement QEMU refuses while another runs).
  const checksFor = (data: DragData, targetId: string) => {
    const key = `${data.sourceId}|${data.domain.name}|${targetId}`;
    if (checkCache.current.has(key)) return;
    // what the browser can tell at once, until the server's full checks arrive
    const source = hosts.find((h) => h.id === data.sourceId);
    const target = hosts.find((h) => h.id === targetId);
    const quick = source && target ? quickMigrationVerdict(data.domain, source, target) : null;
    if (quick?.status === "fail") {
      checkCache.current.add(key);
      setDrops((d) => ({ ...d, [targetId]: { status: "fail", reason: quick.reason } }));
      return;
    }
    const p = checkMigration(data.domain.name, data.sourceId, targetId).then((r) => r.checks);
    checkCache.current.add(key);
    setDrops((d) => ({
      ...d,
      [targetId]: quick ? { status: "checking", reason: quick.reason } : { status: "checking", reason: "Checking…" },
    }));
    p.then(
      (c) => setDrops((d) => ({ ...d, [targetId]: verdict(c) })),
      (e: Error) => setDrops((d) => ({ ...d, [targetId]: { status: "fail", reason: e.message } })),
    );
  };
  const onDragStart = (e: DragStartEvent) => {
    checkCache.current.clear();
    setDrops({});
    setDragging(e.active.data.current as DragData);
  };
  const onDragOver = (e: DragOverEvent) => {
    const target = e.over ? String(e.over.id) : null;
    setOverHost(target);
    if (target && dragging) checksFor(dragging, target);
  };
  const onDragEnd = (e: DragEndEvent) => {
    const data = e.active.data.current as DragData;
    const targetId = e.over ? String(e.over.id) : null;
    setDragging(null);
    setOverHost(null);
    if (!targetId || targetId === data.sourceId) return;
    const source = hosts.find((h) => h.id === data.sourceId);
    const target = hosts.find((h) => h.id === targetId);
    if (source && target)
      setDialog({
        domain: data.domain,
        sourceId: source.id,
        sourceName: source.name,
        targetId: target.id,
        targetName: target.name,
      });
  };

  // when React has taken over the server-rendered page (ms since navigation): bench:ui reports it
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    root.current?.setAttribute("data-hydrated-at", String(Math.round(performance.now())));
  }, []);

  return (
    <div ref={root} data-testid="cluster">
      <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Cluster</h1>
          <p className="text-sm text-slate-600" data-testid="cluster-summary">
            {count(hosts.length, "host")} · {online} online · {count(domains, "domain")}
            {lastRefresh && <> · last refresh {Math.round(lastRefresh.ms)} ms</>}
            {canMigrate && hosts.length > 1 && <> · drag a domain onto another host to migrate it</>}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <StreamBadge status={stream} />
          <button
            type="button"
            onClick={onRefresh}
            disabled={busy}
            data-testid="refresh"
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50"
          >
            {busy ? "Refreshing…" : "Refresh now"}
          </button>
        </div>
      </div>
      {error && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {hosts.length > 0 && (
        <search className="mb-4 flex flex-wrap items-center gap-2 text-sm" data-testid="cluster-find">
          <input
            type="search"
            className="w-56 rounded-md border border-slate-300 px-2 py-1"
            placeholder="Find a domain or host"
            aria-label="Find a domain or host by part of its name"
            value={find.text}
            onChange={(e) => setFind({ ...find, text: e.target.value })}
            data-testid="find-text"
          />
          <select
            className="rounded-md border border-slate-300 px-2 py-1"
            aria-label="Domain state"
            value={find.state}
            onChange={(e) => setFind({ ...find, state: e.target.value })}
            data-testid="find-state"
          >
            <option value="">any state</option>
            {states.map((st) => (
              <option key={st} value={st}>
                {stateWords[st]}
              </option>
            ))}
          </select>
          <select
            className="rounded-md border border-slate-300 px-2 py-1"
            aria-label="Toolstack"
            value={find.toolstack}
            onChange={(e) => setFind({ ...find, toolstack: e.target.value })}
            data-testid="find-toolstack"
          >
            <option value="">every toolstack</option>
            {toolstacks.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <fieldset
            className="ml-auto flex overflow-hidden rounded-md border border-slate-300"
            data-testid="view-switch"
          >
            <legend className="sr-only">View</legend>
            {(["cards", "table"] as const).map((v) => (
              <button
                key={v}
                type="button"
                aria-pressed={view === v}
                onClick={() => chooseView(v)}
                className={`px-2.5 py-1 ${view === v ? "bg-sky-700 text-white" : "bg-white hover:bg-slate-100"}`}
                data-testid={`view-${v}`}
              >
                {v === "cards" ? "Cards" : "Table"}
              </button>
            ))}
          </fieldset>
        </search>
      )}
      {shownJobs.length > 0 && (
        // one row that scrolls sideways: however many jobs run, the hosts stay where the eye expects them
        <section className="mb-5 flex gap-3 overflow-x-auto pb-1" aria-label="jobs" data-testid="job-cards">
          {shownJobs.map((j) => (
            <div key={j.id} className="w-[min(20rem,85vw)] shrink-0">
              <JobCard job={j} canCancel={canMigrate} onDismiss={() => dismiss(j.id)} />
            </div>
          ))}
        </section>
      )}
      {hosts.length === 0 ? (
        <div
          className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center"
          data-testid="cluster-empty"
        >
          <p className="text-lg font-medium">No hosts yet</p>
          <p className="mt-1 text-sm text-slate-600">Add a Xen host over SSH and its domains appear here, live.</p>
          <Link
            href="/hosts"
            className="mt-4 inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800"
          >
            Add a host
          </Link>
        </div>
      ) : view === "table" ? (
        <DomainTable
          hosts={shownHosts}
          match={match}
          canMigrate={canMigrate}
          onSave={canMigrate ? onSave : undefined}
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
          onDragStart={onDragStart}
          onDragOver={onDragOver}
          onDragEnd={onDragEnd}
          onDragCancel={() => {
            setDragging(null);
            setOverHost(null);
          }}
        >
          <div className="grid gap-4 [grid-template-columns:repeat(auto-fill,minmax(300px,1fr))]">
            {shownHosts.map((h, i) => (
              <HostColumn
                key={h.id}
                host={h}
                match={match}
                eager={i < EAGER_HOSTS}
                canMigrate={canMigrate}
                onSave={canMigrate ? onSave : undefined}
                drop={
                  dragging && overHost === h.id && h.id !== dragging.sourceId
                    ? (drops[h.id] ?? { status: "checking", reason: "Checking…" })
                    : null
                }
              />
            ))}
          </div>
          <DragOverlay dropAnimation={null}>{dragging ? <DragPreview domain={dragging.domain} /> : null}</DragOverlay>
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
    </div>
  );
}
