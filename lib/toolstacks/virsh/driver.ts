import type { CommandRunner, DomainInfo, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import * as cmd from "./commands";
import { virshError } from "./errors";
import { parseDominfo, parseNodeMemStats, parseNodeinfo, parseVirshList, parseVirshVersion } from "./parse";
import { parseCpuVirtFlags, parseIpAddr } from "../xl/parse-info";
import { parseDirStat, statDirArgv } from "../linux/dir-stat";

async function run(runner: CommandRunner, argv: string[]): Promise<string> {
  const r = await runner.exec(argv, { timeoutMs: 15_000 });
  if (r.code !== 0) throw virshError(argv, r);
  return r.stdout;
}

/** `virsh domblklist --details`: " Type   Device   Target   Source" rows; "-" = no medium. */
export function parseDomblklist(text: string): { path: string; vdev: string }[] {
  return text.split("\n").slice(2).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 4 && f[3] !== "-")
    .map((f) => ({ vdev: f[2], path: f.slice(3).join(" ") }));
}

export const virshDriver: ToolstackDriver = {
  name: "virsh",

  /** nodeinfo + nodememstats + version + list --all in parallel, then dominfo (and disks) per domain. */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const [nodeText, memText, versionText, nameText, listText, cpuText, ipText, dirStat] = await Promise.all([
      run(runner, cmd.nodeinfo()),
      run(runner, cmd.nodememstats()),
      withCpu || !opts.previous ? run(runner, cmd.version()) : Promise.resolve(null),
      withCpu ? run(runner, cmd.hostname()) : Promise.resolve(null),
      run(runner, cmd.list()),
      withCpu ? run(runner, ["cat", "/proc/cpuinfo"]).catch(() => "") : Promise.resolve(null),
      withCpu ? run(runner, ["ip", "-o", "addr"]).catch(() => "") : Promise.resolve(null),
      dir ? runner.exec(statDirArgv(dir), { timeoutMs: 15_000 }).then((r) => parseDirStat(dir, r.code, r.stdout, r.stderr)) : Promise.resolve(null),
    ]);
    const node = parseNodeinfo(nodeText);
    const mem = parseNodeMemStats(memText);
    const ver = versionText ? parseVirshVersion(versionText) : null;
    const prev = opts.previous;
    const facts: HostFacts = {
      hostname: nameText?.trim() || prev?.hostname || "",
      toolstack: "virsh",
      hypervisor: ver?.hypervisor ?? prev?.hypervisor ?? "QEMU",
      hypervisorVersion: ver ? `${ver.hypervisorVersion}, libvirt ${ver.libvirt}` : prev?.hypervisorVersion ?? "",
      arch: node.arch,
      virtExtensions: cpuText === null ? prev?.virtExtensions ?? [] : parseCpuVirtFlags(cpuText),
      virtCaps: [],
      nrCpus: node.cpus,
      totalMemoryMiB: mem.totalMiB,
      freeMemoryMiB: mem.freeMiB,
      imageDir: dirStat,
      addresses: ipText === null ? prev?.addresses ?? [] : parseIpAddr(ipText),
    };
    const rows = parseVirshList(listText);
    const domains = await Promise.all(rows.map(async (row): Promise<DomainInfo> => {
      const [info, blk] = await Promise.all([
        run(runner, cmd.dominfo(row.name)).then(parseDominfo),
        row.id !== null ? run(runner, cmd.domblklist(row.name)).then(parseDomblklist).catch(() => []) : Promise.resolve([]),
      ]);
      return {
        name: row.name, id: row.id ?? -1, uuid: info.uuid, memoryMiB: info.maxMemoryMiB, vcpus: info.vcpus,
        state: info.state, stateLetters: info.stateText, cpuSeconds: info.cpuSeconds, uptimeSeconds: null, disks: blk,
      };
    }));
    return { facts, domains };
  },
};
