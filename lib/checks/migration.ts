import type { CommandRunner, DomainInfo } from "../toolstacks/types";
import { hostArgv, parseDf } from "../toolstacks/linux/host-commands";
import type { HostView } from "../inventory/types";
import { stateWords } from "../format";
import { driverOf } from "../toolstacks";
import { busySentence, type HoldingJob } from "../jobs/busy";
import {
  memoryRoom,
  notInMaintenance,
  otherMachine,
  sameCpu,
  sameNetwork,
  sameToolstack,
  type RuleVerdict,
} from "./rules";

// Pre-flight checks for a live migration: each ok / warn / fail with a reason a person understands.
// A fail blocks the migration; a warn needs a confirmation. The guide's rules come first.

export type CheckStatus = "ok" | "warn" | "fail";
export interface Check {
  id: string;
  label: string;
  status: CheckStatus;
  reason: string;
  /** the job the check is about (another job already working on the domain): the list links to it */
  jobId?: string;
}

export interface MigrationCheckInput {
  domain: DomainInfo;
  source: HostView;
  target: HostView;
  sourceRunner: CommandRunner;
  targetRunner: CommandRunner;
  /** an unfinished job on this domain, if any */
  /** the job already working on the domain, if any */
  activeJob: HoldingJob | null;
}

/** The address the source will hand to `xl migrate`: the target's first global address, else its name. */
export function targetAddressOf(target: HostView): string {
  return target.facts?.addresses[0] ?? target.facts?.hostname ?? target.address;
}

export async function checkMigration(i: MigrationCheckInput): Promise<Check[]> {
  const { domain, source, target } = i;
  const checks: Check[] = [];
  const add = (id: string, label: string, status: CheckStatus, reason: string, jobId?: string) =>
    checks.push({ id, label, status, reason, ...(jobId ? { jobId } : {}) });

  const differs = otherMachine(domain.name, source, target);
  add("target-differs", "Another host", differs.status, differs.reason);
  const open = notInMaintenance(target);
  add("maintenance", "Target not in maintenance", open.status, open.reason);
  add(
    "no-other-job",
    "No other job on the domain",
    i.activeJob ? "fail" : "ok",
    i.activeJob ? busySentence(i.activeJob) : "Nothing else is moving this domain.",
    i.activeJob?.id,
  );
  const movable = domain.state === "running" || domain.state === "idle";
  add(
    "domain-running",
    "Domain is running",
    movable ? "ok" : "fail",
    movable
      ? `${domain.name} is ${stateWords[domain.state]}.`
      : `${domain.name} is ${stateWords[domain.state]}; only a running domain can be migrated live.`,
  );
  if (target.status !== "online" || !target.facts || !source.facts) {
    add(
      "target-online",
      "Target answers",
      "fail",
      target.status !== "online"
        ? `${target.name} is ${target.status}: ${target.reason ?? "no answer yet"}.`
        : "The target has not been read yet.",
    );
    return checks;
  }
  const sf = source.facts;
  const tf = target.facts;
  const rule = (id: string, label: string, v: RuleVerdict) => add(id, label, v.status, v.reason);
  rule("toolstack", "Same toolstack", sameToolstack(source.name, sf.toolstack, target.name, tf.toolstack));
  rule("arch", "Same architecture and virtualization extensions", sameCpu(source.name, sf, target.name, tf));
  rule(
    "memory",
    "Enough free memory on the target",
    memoryRoom(domain.name, domain.memoryMiB, target.name, tf.freeMemoryMiB),
  );
  checks.push(await checkStorage(i));
  const driver = driverOf(source.toolstack);
  rule(
    "network",
    "Same network segment",
    sameNetwork(
      domain,
      { name: source.name, facts: sf },
      { name: target.name, facts: tf },
      driver.capabilities.migratesOverSsh ? "SSH (TCP 22)" : "the relocation port (below)",
    ),
  );
  // the stream goes over SSH (xl, virsh) or over the toolstack's own path, which its driver checks (xend's relocation)
  if (driver.capabilities.migratesOverSsh || !driver.preflight) checks.push(await checkReachable(i));
  if (driver.preflight && sf.toolstack === tf.toolstack)
    checks.push(
      ...(await driver.preflight({
        source: i.sourceRunner,
        target: i.targetRunner,
        sourceName: source.name,
        targetName: target.name,
        targetAddress: targetAddressOf(target),
        sourceAddresses: sf.addresses,
        sourceNames: [...new Set([source.name, sf.hostname])],
      })),
    );
  return checks;
}

async function mounts(runner: CommandRunner, path?: string): Promise<{ device: string; mount: string }[] | null> {
  const r = await runner.exec(hostArgv.df(path), { timeoutMs: 8_000 }).catch(() => null);
  return r?.code === 0 ? parseDf(r.stdout) : null;
}

/** Where a path really lives: on an NFS server's export, or on one host's own disk. */
interface Place {
  server: string;
  path: string;
}
const nfs = (device: string) =>
  /^[^/]+:\//.test(device)
    ? { server: device.slice(0, device.indexOf(":")), path: device.slice(device.indexOf(":") + 1) }
    : null;
const under = (base: string, rest: string) => (rest ? `${base.replace(/\/$/, "")}${rest}` : base);

/** An NFS server named by address or name is one of the two hosts when that host answers to it. */
function serverId(server: string, hosts: HostView[]): string {
  const h = hosts.find(
    (x) => x.address === server || x.facts?.hostname === server || (x.facts?.addresses ?? []).includes(server),
  );
  return h ? `host:${h.id}` : `nfs:${server}`;
}

async function placeOf(runner: CommandRunner, host: HostView, path: string, hosts: HostView[]): Promise<Place | null> {
  const direct = nfs(path);
  if (direct) return { server: serverId(direct.server, hosts), path: direct.path };
  const m = (await mounts(runner, path))?.[0];
  if (!m) return null;
  const remote = nfs(m.device);
  if (remote) return { server: serverId(remote.server, hosts), path: under(remote.path, path.slice(m.mount.length)) };
  // the host's own disk; "/" is never shared
  return m.mount === "/" ? { server: `root:${host.id}`, path } : { server: `host:${host.id}`, path };
}

/**
 * Live migration moves memory, not disks: every disk must be on storage the target sees at the same path.
 * Both ends' paths are traced to where they live (an NFS export, or a host's own disk), so a domain can move
 * between two clients of one server, from a client onto the server, and from the server onto a client.
 */
async function checkStorage(i: MigrationCheckInput): Promise<Check> {
  const label = "Storage visible on the target";
  if (i.domain.disks.length === 0) {
    // libvirt's domblklist is the whole list of block devices: none means nothing on disk moves
    return i.source.capabilities.completeDiskList
      ? {
          id: "storage",
          label,
          status: "ok",
          reason: "The domain has no disks (virsh domblklist): only memory and device state move.",
        }
      : {
          id: "storage",
          label,
          status: "warn",
          reason: "The domain's config lists no disks, so Ferry cannot check its storage.",
        };
  }
  const hosts = [i.source, i.target];
  const missing: string[] = [];
  for (const disk of i.domain.disks) {
    const here = await placeOf(i.sourceRunner, i.source, disk.path, hosts);
    // an NFS root the guest mounts itself (server:/export): the target must be that server or mount that export
    const there = nfs(disk.path)
      ? here?.server === `host:${i.target.id}`
        ? here
        : (await mounts(i.targetRunner))?.some((m) => m.device === disk.path)
          ? here
          : null
      : await placeOf(i.targetRunner, i.target, disk.path, hosts);
    const same =
      here !== null &&
      there !== null &&
      here.server === there.server &&
      here.path === there.path &&
      !here.server.startsWith("root:");
    if (!same) missing.push(`${disk.path} (${disk.vdev})`);
  }
  return missing.length
    ? {
        id: "storage",
        label,
        status: "fail",
        reason: `Not on shared storage that ${i.target.name} mounts: ${missing.join(", ")}.`,
      }
    : {
        id: "storage",
        label,
        status: "ok",
        reason: `${i.domain.disks.map((d) => d.path).join(", ")} — shared with ${i.target.name}.`,
      };
}

/** xl migrate runs `ssh <target> xl migrate-receive` from the source: the source must reach the target. */
async function checkReachable(i: MigrationCheckInput): Promise<Check> {
  const label = "Target reachable from the source over SSH";
  const address = targetAddressOf(i.target);
  const r = await i.sourceRunner
    .exec([...hostArgv.sshTo(address), "true"], { timeoutMs: 10_000 })
    .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  return r.code === 0
    ? { id: "reachable", label, status: "ok", reason: `${i.source.name} reaches ${address} with its own SSH key.` }
    : {
        id: "reachable",
        label,
        status: "fail",
        reason: `${i.source.name} cannot ssh to ${address}: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}.`,
      };
}
