"use client";
import { useMemo } from "react";
import { stateWords } from "@/lib/format";
import type { HostView } from "@/lib/inventory/types";
import type { Find } from "./find";

// The Cluster page's Find bar (what it keeps: ./find.ts) and its Cards/Table switch.

export type ClusterLayout = "cards" | "table";

export function FindBar({
  hosts,
  find,
  onFind,
  view,
  onView,
}: {
  hosts: HostView[];
  find: Find;
  onFind(f: Find): void;
  view: ClusterLayout;
  onView(v: ClusterLayout): void;
}) {
  // read from every domain: kept until the hosts change (the page renders again on each step of a drag)
  const toolstacks = useMemo(() => [...new Set(hosts.map((h) => h.toolstackLabel))].sort(), [hosts]);
  const states = useMemo(
    () => [...new Set(hosts.flatMap((h) => h.domains.filter((d) => d.id !== 0).map((d) => d.state)))].sort(),
    [hosts],
  );
  return (
    <search className="mb-4 flex flex-wrap items-center gap-2 text-sm" data-testid="cluster-find">
      <input
        type="search"
        className="w-56 rounded-md border border-slate-300 px-2 py-1"
        placeholder="Find a domain or host"
        aria-label="Find a domain or host by part of its name"
        value={find.text}
        onChange={(e) => onFind({ ...find, text: e.target.value })}
        data-testid="find-text"
      />
      <select
        className="rounded-md border border-slate-300 px-2 py-1"
        aria-label="Domain state"
        value={find.state}
        onChange={(e) => onFind({ ...find, state: e.target.value })}
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
        onChange={(e) => onFind({ ...find, toolstack: e.target.value })}
        data-testid="find-toolstack"
      >
        <option value="">every toolstack</option>
        {toolstacks.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <fieldset className="ml-auto flex overflow-hidden rounded-md border border-slate-300" data-testid="view-switch">
        <legend className="sr-only">View</legend>
        {(["cards", "table"] as const).map((v) => (
          <button
            key={v}
            type="button"
            aria-pressed={view === v}
            onClick={() => onView(v)}
            className={`px-2.5 py-1 ${view === v ? "bg-sky-700 text-white" : "bg-white hover:bg-slate-100"}`}
            data-testid={`view-${v}`}
          >
            {v === "cards" ? "Cards" : "Table"}
          </button>
        ))}
      </fieldset>
    </search>
  );
}
