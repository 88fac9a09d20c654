"use client";
import type { HostView } from "@/lib/inventory/types";
import { useState } from "react";
import { Button } from "../ui/button";
import { selectionWords, type Selection } from "./selection";

/**
 * What the operator selected, and where to move it: one host, or anywhere that fits (the planner chooses). The plan
 * opens in a dialog; nothing moves before it is read.
 */
export function SelectionBar({
  selection,
  hosts,
  onPlan,
  onClear,
}: {
  selection: Selection;
  hosts: HostView[];
  onPlan(targetId: string | null): void;
  onClear(): void;
}) {
  const [target, setTarget] = useState("");
  const names = new Map(hosts.map((h) => [h.id, h.name]));
  // a host that holds every selected domain cannot receive any of them
  const from = new Set([...selection.values()].map((p) => p.hostId));
  const targets = hosts.filter((h) => h.status === "online" && !(from.size === 1 && from.has(h.id)));
  return (
    <section
      aria-label="Selected domains"
      className="sticky top-0 z-30 mb-4 flex flex-wrap items-center gap-2 rounded-lg border border-sky-300 bg-sky-50 px-3 py-2 text-sm shadow-sm"
      data-testid="selection-bar"
      data-count={selection.size}
    >
      <span className="font-medium" data-testid="selection-words">
        {selectionWords(selection, names)}
      </span>
      <label className="flex items-center gap-1">
        Move to
        <select
          className="rounded border border-slate-300 bg-white px-1.5 py-1"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          data-testid="selection-target"
        >
          <option value="">anywhere that fits</option>
          {targets.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
              {h.maintenance ? " (in maintenance)" : ""}
            </option>
          ))}
        </select>
      </label>
      <Button kind="primary" onClick={() => onPlan(target || null)} data-testid="selection-plan">
        Plan the moves…
      </Button>
      <Button onClick={onClear} data-testid="selection-clear">
        Clear
      </Button>
    </section>
  );
}
