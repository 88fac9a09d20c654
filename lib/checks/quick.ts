import type { DomainInfo } from "../toolstacks/types";
import type { HostView } from "../inventory/types";
import { formatMiB } from "../format";

// The checks a browser can make at once from the inventory it already holds (target online, same
// toolstack, architecture and extensions, free memory), shown the moment a domain hovers over a host;
// the server's full checks (storage, SSH reachability, jobs) replace them when they arrive.

export type QuickVerdict = { status: "ok" | "fail"; reason: string };

export function quickMigrationVerdict(domain: DomainInfo, source: HostView, target: HostView): QuickVerdict {
  if (source.id === target.id) return { status: "fail", reason: `${domain.name} already runs on ${target.name}.` };
  if (target.status !== "online" || !target.facts || !source.facts) return { status: "fail", reason: `${target.name} is ${target.status}${target.reason ? `: ${target.reason}` : ""}.` };
  const s = source.facts;
  const t = target.facts;
  if (s.toolstack !== t.toolstack) return { status: "fail", reason: `${target.name} uses ${t.toolstack}, not ${s.toolstack}.` };
  if (s.arch !== t.arch || s.virtExtensions.join() !== t.virtExtensions.join()) return { status: "fail", reason: `${target.name} is ${t.arch}/${t.virtExtensions.join(",") || "none"}, not ${s.arch}/${s.virtExtensions.join(",") || "none"}.` };
  if (t.freeMemoryMiB < domain.memoryMiB) return { status: "fail", reason: `${domain.name} needs ${formatMiB(domain.memoryMiB)}; ${target.name} has ${formatMiB(t.freeMemoryMiB)} free.` };
  return { status: "ok", reason: `Room and a matching CPU on ${target.name}; checking storage and SSH…` };
}
