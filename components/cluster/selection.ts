import { formatMiB } from "@/lib/format";
import type { HostView } from "@/lib/inventory/types";
import type { DomainInfo } from "@/lib/toolstacks/types";
import { domainKey } from "./domain-key";

// The domains an operator has selected on the Cluster page (cards or table), to move them together.

export interface Picked {
  domain: string;
  hostId: string;
  memoryMiB: number;
}
/** keyed by the domain's row (lib's domainKey: host, name, id, uuid) */
export type Selection = ReadonlyMap<string, Picked>;

export const noSelection: Selection = new Map();

/** The selection with this domain added, or taken out if it was in. */
export function toggled(sel: Selection, d: DomainInfo, hostId: string): Selection {
  const key = domainKey(hostId, d);
  const next = new Map(sel);
  if (next.has(key)) next.delete(key);
  else next.set(key, { domain: d.name, hostId, memoryMiB: d.memoryMiB });
  return next;
}

/** The selection with all of these added (`on`) or taken out. */
export function withAll(sel: Selection, rows: { domain: DomainInfo; hostId: string }[], on: boolean): Selection {
  const next = new Map(sel);
  for (const { domain: d, hostId } of rows) {
    const key = domainKey(hostId, d);
    if (on) next.set(key, { domain: d.name, hostId, memoryMiB: d.memoryMiB });
    else next.delete(key);
  }
  return next;
}

/** What is still where it was selected (a refresh after a move drops what moved); the same object if nothing left. */
export function stillThere(sel: Selection, hosts: HostView[]): Selection {
  if (!sel.size) return sel;
  const present = new Set(hosts.flatMap((h) => h.domains.map((d) => domainKey(h.id, d))));
  const kept = [...sel].filter(([k]) => present.has(k));
  return kept.length === sel.size ? sel : new Map(kept);
}

/** "3 domains selected (1.5 GiB) on hostA and hostB" */
export function selectionWords(sel: Selection, hostNames: ReadonlyMap<string, string>): string {
  const picks = [...sel.values()];
  const mib = picks.reduce((a, p) => a + p.memoryMiB, 0);
  const hosts = [...new Set(picks.map((p) => hostNames.get(p.hostId) ?? "?"))].sort();
  const on = hosts.length <= 2 ? hosts.join(" and ") : `${hosts.length} hosts`;
  return `${picks.length} ${picks.length === 1 ? "domain" : "domains"} selected (${formatMiB(mib)}) on ${on}`;
}
