import type { DomainInfo } from "../toolstacks/types";
import type { HostView } from "../inventory/types";
import { nameListedTwice } from "../inventory/problems";
import { memoryRoom, notInMaintenance, otherMachine, sameCpu, sameToolstack } from "./rules";

// The checks a browser can make at once from the inventory it already holds (the name listed once on the source,
// target online, same toolstack, architecture and extensions, free memory), shown the moment a domain hovers over a
// host; the server's full checks (storage, SSH reachability, jobs) replace them when they arrive.

export type QuickVerdict = { status: "ok" | "fail"; reason: string };

export function quickMigrationVerdict(domain: DomainInfo, source: HostView, target: HostView): QuickVerdict {
  const ambiguous = nameListedTwice(source, domain.name);
  if (ambiguous) return { status: "fail", reason: ambiguous };
  const differs = otherMachine(domain.name, source, target);
  if (differs.status === "fail") return { status: "fail", reason: differs.reason };
  const open = notInMaintenance(target);
  if (open.status === "fail") return { status: "fail", reason: open.reason };
  if (target.status !== "online" || !target.facts || !source.facts)
    return {
      status: "fail",
      reason: `${target.name} is ${target.status}${target.reason ? `: ${target.reason}` : ""}.`,
    };
  const s = source.facts;
  const t = target.facts;
  // the same rules as the server's checks (lib/checks/rules.ts); a warning there is no reason to stop a hover
  for (const v of [
    sameToolstack(source.name, s.toolstack, target.name, t.toolstack),
    sameCpu(source.name, s, target.name, t),
    memoryRoom(domain.name, domain.memoryMiB, target.name, t.freeMemoryMiB),
  ]) {
    if (v.status === "fail") return { status: "fail", reason: v.reason };
  }
  return { status: "ok", reason: `Room and a matching CPU on ${target.name}; checking storage and SSH…` };
}
