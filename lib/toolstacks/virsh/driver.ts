import type { ExecResult } from "../../ssh/types";
import { execBatch, execNamedBatch, inventoryTimeoutMs } from "../batch";
import type { DomainInfo, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import * as cmd from "./commands";
import { virshError } from "./errors";
import {
  parseDominfo,
  parseHostUuid,
  parseNodeMemStats,
  parseNodeinfo,
  parseVirshList,
  parseVirshVersion,
  virshStates,
} from "./parse";
import { linuxFacts, linuxFactCommands } from "../linux/host-facts";
import { parseDirStat, statDirArgv } from "../linux/dir-stat";
import { locateVirsh, migrateVirsh } from "./migrate";
import { virshFiles } from "./saverestore";
import { measureDirtyBps } from "./dirty-rate";
import { guestEmulated, parseEmulatedOnly, refusedOption, saferOptions } from "./emulation";

const PER_DOMAIN_CHANNELS = 4;

/** stdout of a batched command that must succeed */
function ok(argv: readonly string[], r: ExecResult): string {
  if (r.code !== 0) throw virshError([...argv], r);
  return r.stdout;
}

/**
 * `virsh domiflist`: " Interface   Type     Source    Model    MAC" rows → the bridges its interfaces are on
 * ("network:default" for a libvirt network, "direct:eth0" for macvtap).
 */
export function parseDomiflist(text: string): string[] {
  return text
    .split("\n")
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0] !== "")
    .map(([, type, source]) => (type === "bridge" ? source : `${type}:${source}`));
}

/** `virsh domblklist --details`: " Type   Device   Target   Source" rows; "-" = no medium. */
export function parseDomblklist(text: string): { path: string; vdev: string }[] {
  return text
    .split("\n")
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && f[3] !== "-")
    .map((f) => ({ vdev: f[2], path: f.slice(3).join(" ") }));
}

export const virshDriver: ToolstackDriver = {
  name: "virsh",
  label: "virsh (libvirt: KVM/QEMU)",
  probeCommand: "virsh",
  capabilities: {
    migrationOptions: true,
    tuneWhileRunning: true,
    reportsRounds: true,
    roundsSource: "QEMU, from virsh domjobinfo",
    definedDomains: true,
    completeDiskList: true,
    liveDiskCopy: true,
    precopyPolicy: "qemu",
    memoryModel: "node",
    migratesOverSsh: true,
    reportsDowntime: true,
  },
  migrate: migrateVirsh,
  locate: locateVirsh,
  error: virshError,
  files: virshFiles,
  power: { start: cmd.start, shutdown: cmd.shutdown, reboot: cmd.reboot },
  measureDirtyBps,
  refusedOption,
  saferOptions,
  guestEmulated,
  tune: (domain, change) =>
    "maxDowntimeMs" in change
      ? cmd.setMaxDowntime(domain, change.maxDowntimeMs)
      : "bandwidthMiBps" in change
        ? cmd.setSpeed(domain, change.bandwidthMiBps)
        : cmd.startPostcopy(domain),
  transport: (source, address) =>
    `virsh migrate over SSH: ${source} runs \`virsh migrate --live … ${cmd.targetUri(address)}\`; libvirt's control channel is tunnelled through SSH, QEMU's memory stream goes directly to the target's migration port (not encrypted; keep it on a trusted network).`,

  /**
   * nodeinfo + nodememstats + list --all + the image directory's stat (version, hostname, cpu flags and
   * addresses on request) in one script (execBatch: the host's long-lived shell), then dominfo and disks of every domain
   * in up to four more, side by side, each in a channel of its own.
   */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const r = await execNamedBatch(
      runner,
      {
        node: cmd.nodeinfo(),
        mem: cmd.nodememstats(),
        list: cmd.list(),
        ...(dir ? { dir: statDirArgv(dir) } : {}),
        ...(withCpu
          ? {
              version: cmd.version(),
              hostname: cmd.hostname(),
              capabilities: cmd.capabilities(),
              ...linuxFactCommands(),
            }
          : {}),
      },
      { timeoutMs: inventoryTimeoutMs(opts) },
    );
    const nodeText = ok(cmd.nodeinfo(), r.node);
    const memText = ok(cmd.nodememstats(), r.mem);
    const listText = ok(cmd.list(), r.list);
    const dirStat = dir && r.dir ? parseDirStat(dir, r.dir.code, r.dir.stdout, r.dir.stderr) : null;
    // libvirt's host uuid (<capabilities><host><uuid>): two libvirtds on one kernel still differ
    const caps = r.capabilities;
    const hostUuid = caps ? (caps.code === 0 ? parseHostUuid(caps.stdout) : null) : undefined;
    const versionText = r.version ? ok(cmd.version(), r.version) : null;
    const nameText = r.hostname ? ok(cmd.hostname(), r.hostname) : null;
    const node = parseNodeinfo(nodeText);
    const mem = parseNodeMemStats(memText);
    const ver = versionText ? parseVirshVersion(versionText) : null;
    const prev = opts.previous;
    const facts: HostFacts = {
      hostname: nameText?.trim() || prev?.hostname || "",
      toolstack: "virsh",
      hypervisor: ver?.hypervisor ?? prev?.hypervisor ?? "QEMU",
      hypervisorVersion: ver ? `${ver.hypervisorVersion}, libvirt ${ver.libvirt}` : (prev?.hypervisorVersion ?? ""),
      arch: node.arch,
      virtCaps: [],
      nrCpus: node.cpus,
      totalMemoryMiB: mem.totalMiB,
      freeMemoryMiB: mem.freeMiB,
      imageDir: dirStat,
      ...linuxFacts(r, prev),
      identity: hostUuid === undefined ? (prev?.identity ?? null) : hostUuid && `libvirt-host:${hostUuid}`,
      emulatedOnly: caps?.code === 0 ? (parseEmulatedOnly(caps.stdout) ?? undefined) : prev?.emulatedOnly,
    };
    const rows = parseVirshList(listText);
    // every virsh call opens its own libvirtd connection (tens of ms on a real host), so a host's domains are
    // read in up to PER_DOMAIN_CHANNELS batches side by side rather than one long one
    // a running domain is asked by its id, so that each row is read as itself: a host that lists one name twice
    // (it should not) shows both rows, the running one running, never one collapsed into the other
    const groups = Array.from({ length: Math.min(PER_DOMAIN_CHANNELS, rows.length) }, (_, g) =>
      rows.map((row, index) => ({ ...row, index })).filter((r) => r.index % PER_DOMAIN_CHANNELS === g),
    );
    const read = await Promise.all(
      groups.map(async (group) => {
        const argvs = group.flatMap((row) => {
          const ref = row.id !== null ? String(row.id) : row.name;
          return [cmd.dominfo(ref), ...(row.id !== null ? [cmd.domblklist(ref), cmd.domiflist(ref)] : [])];
        });
        const results = await execBatch(runner, argvs, { timeoutMs: 15_000, sideBySide: groups.length > 1 });
        let k = 0;
        return group.map((row): DomainInfo & { index: number } => {
          const info = parseDominfo(ok(argvs[k], results[k++]));
          let blk: { path: string; vdev: string }[] = [];
          let bridges: string[] | undefined;
          if (row.id !== null) {
            const r = results[k++];
            blk = r.code === 0 ? parseDomblklist(r.stdout) : [];
            const i = results[k++];
            bridges = i.code === 0 ? parseDomiflist(i.stdout) : undefined;
          }
          return {
            index: row.index,
            name: row.name,
            id: row.id ?? -1,
            uuid: info.uuid,
            memoryMiB: info.maxMemoryMiB,
            vcpus: info.vcpus,
            // an inactive row is read by name, which another row may share: its state is the list's own
            state: row.id === null ? (virshStates[row.state] ?? info.state) : info.state,
            stateLetters: row.id === null ? row.state : info.stateText,
            cpuSeconds: info.cpuSeconds,
            uptimeSeconds: null,
            disks: blk,
            bridges,
          };
        });
      }),
    );
    const domains = read
      .flat()
      .sort((a, b) => a.index - b.index)
      .map(({ index: _, ...d }) => d);
    return { facts, domains };
  },
};
