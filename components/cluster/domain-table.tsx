"use client";
import Link from "next/link";
import { useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { formatMiB, stateWords } from "@/lib/format";
import { domainHref } from "@/lib/domain-href";
import type { HostView } from "@/lib/inventory/types";
import type { DomainInfo } from "@/lib/toolstacks/types";
import type { DomainMatch } from "./host-column";
import { domainKey } from "./domain-key";
import { agingFrom, Uptime } from "./uptime";
import type { Selection } from "./selection";

export interface TableRow {
  domain: DomainInfo;
  host: HostView;
}

type SortKey = "name" | "host" | "state" | "memory";
const ROW_PX = 37;
// one collator for every comparison (localeCompare with options makes one per call)
const byName = new Intl.Collator(undefined, { numeric: true });

/** Rows of the table: every guest domain of the shown hosts that the Find matches, sorted. */
export function tableRows(hosts: HostView[], match: DomainMatch | null, sort: SortKey, desc: boolean): TableRow[] {
  const rows = hosts.flatMap((h) =>
    h.domains.filter((d) => d.id !== 0 && (!match || match(d, h))).map((domain) => ({ domain, host: h })),
  );
  const key: Record<SortKey, (r: TableRow) => string | number> = {
    name: (r) => r.domain.name,
    host: (r) => r.host.name,
    state: (r) => r.domain.state,
    memory: (r) => r.domain.memoryMiB,
  };
  const k = key[sort];
  rows.sort((a, b) => {
    const x = k(a);
    const y = k(b);
    const c = typeof x === "number" ? x - (y as number) : byName.compare(x, y as string);
    return (desc ? -c : c) || byName.compare(a.domain.name, b.domain.name);
  });
  return rows;
}

/**
 * The compact view for large clusters: one row per domain, sortable, only the rows in sight rendered (a list
 * virtualizer), with the same moves as the cards — "Move to…" opens the same checks and dialog as a drop.
 */
export function DomainTable({
  hosts,
  match,
  canMigrate,
  onMove,
  onSave,
  selection,
  onSelect,
  onSelectAll,
}: {
  hosts: HostView[];
  match: DomainMatch | null;
  canMigrate: boolean;
  onMove: (domain: DomainInfo, source: HostView, target: HostView) => void;
  onSave?: (domain: DomainInfo, hostId: string) => void;
  /** the domains selected to move together; absent: no selecting (a viewer) */
  selection?: Selection;
  onSelect(domain: DomainInfo, hostId: string): void;
  /** every row shown that can move, selected (true) or cleared */
  onSelectAll(rows: { domain: DomainInfo; hostId: string }[], on: boolean): void;
}) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "name", desc: false });
  const rows = useMemo(() => tableRows(hosts, match, sort.key, sort.desc), [hosts, match, sort]);
  const box = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
    // the server renders the first screenful (no scroll box measured yet)
    initialRect: { width: 1200, height: 640 },
  });
  const items = virtual.getVirtualItems();
  const movable = useMemo(
    () =>
      rows
        .filter((r) => r.host.status === "online" && (r.domain.state === "running" || r.domain.state === "idle"))
        .map((r) => ({ domain: r.domain, hostId: r.host.id })),
    [rows],
  );
  const allOn = !!selection && movable.length > 0 && movable.every((r) => selection.has(domainKey(r.hostId, r.domain)));
  const columns = selection ? 7 : 6;
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtual.getTotalSize() - items[items.length - 1].end : 0;
  const head = (key: SortKey, label: string) => (
    <th
      scope="col"
      className={`px-2 py-1.5 ${key === "host" ? "hidden sm:table-cell" : ""}`}
      aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}
    >
      <button
        type="button"
        className="font-semibold hover:underline"
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}
        data-testid={`sort-${key}`}
      >
        {label}
        {sort.key === key ? (sort.desc ? " ↓" : " ↑") : ""}
      </button>
    </th>
  );
  return (
    <div className="rounded-lg border border-slate-200 bg-white" data-testid="domain-table" data-rows={rows.length}>
      <section
        ref={box}
        className="max-h-[70vh] overflow-auto"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1)
        tabIndex={0}
        aria-label={`Domains, ${rows.length} rows`}
      >
        <table className="w-full text-left text-sm sm:min-w-[44rem]">
          <thead className="sticky top-0 z-10 bg-white text-xs text-slate-600 shadow-[0_1px_0_var(--color-slate-200)]">
            <tr>
              {selection && (
                <th scope="col" className="w-8 px-2 py-1.5">
                  <input
                    type="checkbox"
                    className="h-4 w-4 accent-sky-700"
                    checked={allOn}
                    disabled={!movable.length}
                    onChange={() => onSelectAll(movable, !allOn)}
                    aria-label={`Select all ${movable.length} running domains shown`}
                    data-testid="select-all"
                  />
                </th>
              )}
              {head("name", "Domain")}
              {head("host", "Host")}
              {head("state", "State")}
              {head("memory", "Memory")}
              <th scope="col" className="hidden px-2 py-1.5 sm:table-cell">
                vCPUs · up
              </th>
              <th scope="col" className="px-2 py-1.5">
                {canMigrate ? "Move" : ""}
              </th>
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden style={{ height: padTop }}>
                <td colSpan={columns} />
              </tr>
            )}
            {items.map((it) => {
              const { domain: d, host: h } = rows[it.index];
              const inactive = d.id < 0;
              // live migration stays within a toolstack (the checks would refuse the others)
              const targets = hosts.filter(
                (t) => t.id !== h.id && t.status === "online" && t.toolstack === h.toolstack,
              );
              return (
                <tr
                  key={domainKey(h.id, d)}
                  // measured: on a phone the host goes under the name and a row is taller
                  ref={virtual.measureElement}
                  data-index={it.index}
                  className="border-t border-slate-100"
                  style={{ height: ROW_PX }}
                  data-testid={`row-${d.name}`}
                >
                  {selection && (
                    <td className="px-2">
                      {h.status === "online" && (d.state === "running" || d.state === "idle") && (
                        <input
                          type="checkbox"
                          className="h-4 w-4 accent-sky-700"
                          checked={selection.has(domainKey(h.id, d))}
                          onChange={() => onSelect(d, h.id)}
                          aria-label={`Select ${d.name} to move it with others`}
                          data-testid="row-select"
                        />
                      )}
                    </td>
                  )}
                  <td className="px-2 [overflow-wrap:anywhere]">
                    <Link href={domainHref(d)} prefetch={false} className="text-sky-800 underline">
                      {d.name}
                    </Link>
                    <span className="block text-xs text-slate-500 sm:hidden">on {h.name}</span>
                  </td>
                  <td className="hidden px-2 sm:table-cell">
                    <Link href={`/hosts/${h.id}`} prefetch={false} className="hover:underline">
                      {h.name}
                    </Link>
                  </td>
                  <td className="px-2">{inactive ? `defined, ${d.stateLetters}` : stateWords[d.state]}</td>
                  <td className="whitespace-nowrap px-2">{formatMiB(d.memoryMiB)}</td>
                  <td className="hidden px-2 text-slate-600 sm:table-cell">
                    {d.vcpus} · <Uptime seconds={d.uptimeSeconds} seenAt={agingFrom(h)} />
                  </td>
                  <td className="px-2 sm:whitespace-nowrap">
                    {canMigrate && !inactive && (
                      <span className="flex flex-wrap items-center gap-1 py-1 sm:flex-nowrap sm:py-0">
                        <select
                          className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs"
                          aria-label={`Move ${d.name} to another host`}
                          value=""
                          onChange={(e) => {
                            const t = targets.find((x) => x.id === e.target.value);
                            if (t) onMove(d, h, t);
                          }}
                          data-testid="row-move"
                        >
                          <option value="">Move to…</option>
                          {targets.map((t) => (
                            <option key={t.id} value={t.id}>
                              {t.name}
                              {t.maintenance ? " (in maintenance)" : ""}
                            </option>
                          ))}
                        </select>
                        {onSave && (
                          <button
                            type="button"
                            className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs hover:bg-slate-100"
                            onClick={() => onSave(d, h.id)}
                            aria-label={`Save ${d.name} to disk`}
                          >
                            Save…
                          </button>
                        )}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden style={{ height: padBottom }}>
                <td colSpan={columns} />
              </tr>
            )}
          </tbody>
        </table>
        {rows.length === 0 && <p className="p-3 text-sm text-slate-600">No domain matches.</p>}
      </section>
    </div>
  );
}
