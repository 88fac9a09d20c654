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
