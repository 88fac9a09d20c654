import type { HostView } from "@/lib/inventory/types";
import type { DomainMatch } from "./host-column";

// The Cluster page's Find: part of a domain's or host's name, a state, a toolstack.

export interface Find {
  text: string;
  state: string;
  toolstack: string;
}
export const noFind: Find = { text: "", state: "", toolstack: "" };

/** Which domains the Find keeps (null: all of them). The toolstack narrows hosts, not domains. */
export function matchOf(find: Find): DomainMatch | null {
  const text = find.text.trim().toLowerCase();
  if (!text && !find.state) return null;
  return (d, h) =>
    (!text || d.name.toLowerCase().includes(text) || h.name.toLowerCase().includes(text)) &&
    (!find.state || d.state === find.state);
}

/**
 * The hosts as the Cluster page shows them: every host (each stays a drop target), those with a domain the Find keeps
 * first — in a cluster of hundreds of hosts what was found is on the first screen, not 40 rows down. `found` is
 * empty while the Find keeps every domain.
 */
export function hostsForFind(
  hosts: HostView[],
  find: Find,
  match: DomainMatch | null,
): { found: HostView[]; others: HostView[] } {
  const shown = find.toolstack ? hosts.filter((h) => h.toolstackLabel === find.toolstack) : hosts;
  if (!match) return { found: [], others: shown };
  const keeps = (h: HostView) => h.domains.some((d) => d.id !== 0 && match(d, h));
  return { found: shown.filter(keeps), others: shown.filter((h) => !keeps(h)) };
}
