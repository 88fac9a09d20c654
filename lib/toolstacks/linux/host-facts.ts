import type { ExecResult } from "../../ssh/types";
import type { HostFacts } from "../types";
import { hostArgv, parseBridges, parseCpuVirtFlags, parseIpAddr, parseMachineId, parseSubnets } from "./host-commands";

// The Linux facts every driver reads beside its toolstack's answers — on a host's first look and when asked to
// (SnapshotOptions.withCpuFlags) — named, so that a driver picks each result by what it is. A refresh that did not
// read them keeps the previous refresh's.

/** cpu flags, addresses and bridges: the commands, by name, for a driver's batch */
export const linuxFactCommands = () => ({
  cpuinfo: hostArgv.cpuinfo(),
  ipAddr: hostArgv.ipAddr(),
  bridges: hostArgv.bridges(),
});

export type LinuxFactResults = { cpuinfo?: ExecResult; ipAddr?: ExecResult; bridges?: ExecResult };

/** The facts from the results of linuxFactCommands, or `previous`'s where the batch did not read them. */
export function linuxFacts(
  r: LinuxFactResults,
  previous?: HostFacts,
): Pick<HostFacts, "virtExtensions" | "addresses" | "subnets" | "bridges"> {
  // a command that failed read nothing (no flags, no addresses); one not run keeps what was known
  const text = (x?: ExecResult) => (x === undefined ? null : x.code === 0 ? x.stdout : "");
  const cpu = text(r.cpuinfo);
  const ip = text(r.ipAddr);
  return {
    virtExtensions: cpu === null ? (previous?.virtExtensions ?? []) : parseCpuVirtFlags(cpu),
    addresses: ip === null ? (previous?.addresses ?? []) : parseIpAddr(ip),
    subnets: ip === null ? previous?.subnets : parseSubnets(ip),
    bridges:
      r.bridges === undefined ? previous?.bridges : r.bridges.code === 0 ? parseBridges(r.bridges.stdout) : undefined,
  };
}

/** A Xen host's identity: dom0's /etc/machine-id (Xen's tools name no host uuid); undefined result: not read now. */
export function machineIdentity(r: ExecResult | undefined, previous?: HostFacts): string | null {
  if (r === undefined) return previous?.identity ?? null;
  const id = r.code === 0 ? parseMachineId(r.stdout) : null;
  return id && `machine-id:${id}`;
}
