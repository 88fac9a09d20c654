import { formatMiB } from "../format";

// The rules that the drag preview (in the browser), the server's checks and the restore checks all apply:
// written once, so that they cannot drift apart. Pure functions of what the inventory already knows.

export type RuleStatus = "ok" | "warn" | "fail";
export interface RuleVerdict {
  status: RuleStatus;
  reason: string;
}

/** Below this much free memory left after the move, the target is tight: a warning. */
export const MEMORY_MARGIN_MIB = 256;

/** Room for `needMiB` on a host with `freeMiB` free: fail without room, warn when less than the margin would remain. */
export function memoryRoom(domain: string, needMiB: number, target: string, freeMiB: number): RuleVerdict {
  const left = freeMiB - needMiB;
  if (left < 0)
    return {
      status: "fail",
      reason: `${domain} needs ${formatMiB(needMiB)}; ${target} has ${formatMiB(freeMiB)} free.`,
    };
  return {
    status: left < MEMORY_MARGIN_MIB ? "warn" : "ok",
    reason: `${formatMiB(needMiB)} needed, ${formatMiB(freeMiB)} free${left < MEMORY_MARGIN_MIB ? ` — only ${formatMiB(left)} would remain` : ""}.`,
  };
}

interface Cpu {
  arch: string;
  virtExtensions: string[];
}
const ext = (c: Cpu) => c.virtExtensions.join(",");

/** The guest's instructions must match: same architecture and the same virtualization extensions (VT-x / AMD-V). */
export function sameCpu(sourceName: string, s: Cpu, targetName: string, t: Cpu): RuleVerdict {
  if (s.arch !== t.arch)
    return {
      status: "fail",
      reason: `${sourceName} is ${s.arch}, ${targetName} is ${t.arch}: the guest's instructions would not match.`,
    };
  if (ext(s) !== ext(t))
    return {
      status: "fail",
      reason: `${sourceName} has ${s.virtExtensions.join(", ") || "no VT-x/AMD-V"}, ${targetName} has ${t.virtExtensions.join(", ") || "none"}.`,
    };
  return { status: "ok", reason: `Both ${s.arch} with ${s.virtExtensions.join(", ") || "no extensions"}.` };
}

/** A domain cannot move between toolstacks. */
export function sameToolstack(sourceName: string, s: string, targetName: string, t: string): RuleVerdict {
  return s === t
    ? { status: "ok", reason: `Both use ${s}.` }
    : {
        status: "fail",
        reason: `${sourceName} uses ${s}, ${targetName} uses ${t}: a domain cannot move between toolstacks.`,
      };
}

interface Machine {
  id: string;
  name: string;
  fingerprint: string;
  facts: { identity: string | null } | null;
}

/**
 * The target must be another machine — by what the hosts say they are, not by their names: the same host key,
 * or the same identity (libvirt's host uuid, dom0's machine id), is one machine registered twice.
 */
export function otherMachine(domain: string, s: Machine, t: Machine): RuleVerdict {
  if (s.id === t.id) return { status: "fail", reason: `${domain} already runs on ${s.name}.` };
  if (s.fingerprint === t.fingerprint)
    return {
      status: "fail",
      reason: `${s.name} and ${t.name} are one machine (the same host key ${s.fingerprint}): ${domain} already runs there.`,
    };
  if (s.facts?.identity && s.facts.identity === t.facts?.identity) {
    return {
      status: "fail",
      // different host keys, one identity: one machine reached two ways, or two machines whose firmware gives the
      // same identity (common on OEM servers; libvirt then refuses too: "Attempt to migrate guest to the same host")
      reason: `${s.name} and ${t.name} both say they are ${s.facts.identity}, though their SSH host keys differ: either one machine reached two ways (${domain} already runs there), or two machines whose firmware reports the same identity — the toolstack refuses to migrate between them until one is given its own (for libvirt: host_uuid in libvirtd.conf).`,
    };
  }
  return { status: "ok", reason: `${s.name} → ${t.name}.` };
}

/** How far over the maximum downtime a forecast may be before the operator is asked (the forecast's precision). */
export const DOWNTIME_TOLERANCE = 1.25;

interface ForecastVerdict {
  verdict: "converges" | "converges-with-help" | "may-not-converge" | "will-not-converge";
  reason: string;
  downtimeMs: number;
  maxDowntimeMs?: number;
}

/**
 * What the forecast asks of the operator before launch: anything short of "converges within the maximum
 * downtime" is a warning that needs a tick, with the forecast's own words (and the help it names).
 */
export function forecastRule(f: ForecastVerdict): RuleVerdict & { label: string } {
  const max = f.maxDowntimeMs;
  switch (f.verdict) {
    case "will-not-converge":
      return { label: "Pre-copy converges", status: "warn", reason: f.reason };
    case "converges-with-help":
      return { label: "Pre-copy converges without help", status: "warn", reason: f.reason };
    case "may-not-converge":
      return { label: "Pre-copy converges", status: "warn", reason: f.reason };
    default:
      // a forecast is good to a fifth or so: a few ms over the maximum is no reason to stop the operator
      if (max !== undefined && f.downtimeMs > max * DOWNTIME_TOLERANCE)
        return {
          label: "Downtime within the maximum",
          status: "warn",
          reason: `Forecast downtime about ${Math.round(f.downtimeMs)} ms, over the ${max} ms maximum. ${f.reason}`,
        };
      return { label: "Pre-copy converges", status: "ok", reason: f.reason };
  }
}

/** A host in maintenance receives nothing: no migration, move, restore or plan targets it. */
export function notInMaintenance(target: {
  name: string;
  maintenance?: { since: string; by: string } | null;
}): RuleVerdict {
  return target.maintenance
    ? {
        status: "fail",
        reason: `${target.name} is in maintenance (since ${target.maintenance.since.slice(0, 16).replace("T", " ")} UTC, by ${target.maintenance.by}): it receives nothing until it leaves maintenance.`,
      }
    : { status: "ok", reason: `${target.name} is not in maintenance.` };
}

type Net = { subnets?: string[]; bridges?: string[] };

/**
 * The guide's network precondition: the domain keeps its IP and MAC, so the target must offer the bridges its
 * interfaces are on and share a subnet with the source. Fails on a missing bridge (the target could not plug the
 * interface in); warns where Ferry cannot tell; says which port a firewall between them must let through.
 */
export function sameNetwork(
  domain: { name: string; bridges?: string[] },
  source: { name: string; facts: Net },
  target: { name: string; facts: Net },
  transportPort: string,
): RuleVerdict {
  const firewall = ` If a firewall stands between them, let ${transportPort} through from ${source.name} to ${target.name}.`;
  const want = domain.bridges;
  const have = target.facts.bridges;
  const plain = (want ?? []).filter((b) => !b.includes(":"));
  const missing = have ? plain.filter((b) => !have.includes(b)) : [];
  if (missing.length)
    return {
      status: "fail",
      reason: `${domain.name}'s interface${plain.length > 1 ? "s are" : " is"} on ${plain.join(", ")}, and ${target.name} has no bridge ${missing.join(", ")} (it has ${have?.join(", ") || "none"}): it could not plug the domain in.`,
    };
  const common = (source.facts.subnets ?? []).filter((s) => (target.facts.subnets ?? []).includes(s));
  const unknown: string[] = [];
  if (!want) unknown.push(`which bridge ${domain.name}'s interfaces use`);
  else if (want.some((b) => b.includes(":")))
    unknown.push(`whether ${target.name} has ${want.filter((b) => b.includes(":")).join(", ")}`);
  if (plain.length && !have) unknown.push(`which bridges ${target.name} has`);
  if (!source.facts.subnets || !target.facts.subnets) unknown.push("the hosts' subnets");
  else if (!common.length)
    return {
      status: "warn",
      reason: `${source.name} (${source.facts.subnets.join(", ") || "no IPv4 network"}) and ${target.name} (${target.facts.subnets.join(", ") || "no IPv4 network"}) share no subnet: ${domain.name} keeps its IP and MAC, so it reaches its network after the move only if the segment is bridged between them.${firewall}`,
    };
  if (want && want.length === 0)
    return {
      status: "ok",
      reason: `${domain.name} has no network interface: nothing to keep on a segment.${firewall}`,
    };
  const on = plain.length ? `on ${plain.join(", ")}, which ${target.name} has` : "";
  const nets = common.length ? `both hosts are on ${common.join(", ")}` : "";
  if (unknown.length)
    return {
      status: "warn",
      reason: `Ferry cannot tell ${unknown.join(", nor ")}${on || nets ? ` (${[on, nets].filter(Boolean).join("; ")})` : ""}: ${domain.name} keeps its IP and MAC, so check that ${target.name} is on its network segment.${firewall}`,
    };
  return {
    status: "ok",
    reason: `${domain.name} is ${on}; ${nets}: it keeps its IP and MAC on the same segment.${firewall}`,
  };
}
