import type { HostView } from "./types";
import type { DomainInfo } from "../toolstacks/types";
import { AppError } from "../errors";
import { stateWords } from "../format";

// What a host's own picture says is wrong with it, in words, beside its domains. A toolstack keeps one domain per
// name (libvirt by name and UUID, xl and xend by name): a name listed twice means two domains that each believe they
// are the one — Ferry lists both rows (never collapses them, never hides a running one) and says so here.

type Listed = Pick<HostView, "name" | "domains">;

const rowWords = (d: DomainInfo) => (d.id >= 0 ? `${stateWords[d.state]}, id ${d.id}` : stateWords[d.state]);
const twice = (host: Listed, name: string, rows: DomainInfo[]) =>
  `${host.name} lists ${name} ${rows.length} times (${rows.map(rowWords).join("; ")}): one name for ${rows.length} domains. Check their UUIDs on ${host.name} and remove the copy that should not be there before moving ${name}.`;

export function hostProblems(host: Listed): string[] {
  const rows = new Map<string, DomainInfo[]>();
  for (const d of host.domains) if (d.id !== 0) rows.set(d.name, [...(rows.get(d.name) ?? []), d]);
  return [...rows].filter(([, same]) => same.length > 1).map(([name, same]) => twice(host, name, same));
}

/**
 * The one domain of this name on the host (dom0 aside), or undefined; a job asked for by name is refused when the
 * host lists the name more than once — Ferry cannot know which of the two the operator means, nor move one without
 * leaving the other beside it.
 */
export function oneDomainNamed(host: Listed, name: string): DomainInfo | undefined {
  const problem = nameListedTwice(host, name);
  if (problem) throw new AppError("domain_ambiguous", problem);
  return host.domains.find((d) => d.name === name && d.id !== 0);
}

/** The problem, in words, when the host lists this name more than once; null when it does not. */
export function nameListedTwice(host: Listed, name: string): string | null {
  const same = host.domains.filter((d) => d.name === name && d.id !== 0);
  return same.length > 1 ? twice(host, name, same) : null;
}
