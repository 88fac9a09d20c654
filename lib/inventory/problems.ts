import type { HostView } from "./types";
import { stateWords } from "../format";

// What a host's own picture says is wrong with it, in words, beside its domains. A toolstack keeps one domain per
// name (libvirt by name and UUID, xl and xend by name): a name listed twice means two domains that each believe they
// are the one — Ferry lists both rows (never collapses them, never hides a running one) and says so here.

export function hostProblems(host: Pick<HostView, "name" | "domains">): string[] {
  const rows = new Map<string, string[]>();
  for (const d of host.domains) {
    if (d.id === 0) continue;
    rows.set(d.name, [
      ...(rows.get(d.name) ?? []),
      d.id >= 0 ? `${stateWords[d.state]}, id ${d.id}` : stateWords[d.state],
    ]);
  }
  return [...rows]
    .filter(([, states]) => states.length > 1)
    .map(
      ([name, states]) =>
        `${host.name} lists ${name} ${states.length} times (${states.join("; ")}): one name for ${states.length} domains. Check their UUIDs on ${host.name} and remove the copy that should not be there before moving ${name}.`,
    );
}
