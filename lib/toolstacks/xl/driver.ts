import type { ExecResult } from "../../ssh/types";
import { execBatch, inventoryTimeoutMs } from "../batch";
import type { DomainInfo, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import * as cmd from "./commands";
import { xlError } from "./errors";
import { parseXlInfo } from "./parse-info";
import {
  hostArgv,
  parseBridges,
  parseCpuVirtFlags,
  parseIpAddr,
  parseMachineId,
  parseSubnets,
} from "../linux/host-commands";
import { baseDomainName, parseXlList, stateFromLetters } from "./parse-list";
import { parseXlListLong } from "./parse-list-long";
import { parseXlUptime } from "./parse-uptime";
import { parseDirStat, statDirArgv } from "../linux/dir-stat";
import { locate, migrateXl } from "./migrate";
import { xlFiles } from "./saverestore";

/** stdout of a batched command that must succeed */
function ok(argv: readonly string[], r: ExecResult): string {
  if (r.code !== 0) throw xlError([...argv], r);
  return r.stdout;
}

export const xlDriver: ToolstackDriver = {
  name: "xl",
  label: "xl (Xen)",
  probeCommand: "xl",
  capabilities: {
    migrationOptions: false,
    tuneWhileRunning: false,
    reportsRounds: false,
    definedDomains: false,
    completeDiskList: false,
    precopyPolicy: "xen",
    memoryModel: "xen",
    migratesOverSsh: true,
    reportsDowntime: false,
  },
  migrate: migrateXl,
  locate,
  error: xlError,
  files: xlFiles,
  transport: (source, address) =>
    `xl migrate over SSH: ${source} runs \`ssh ${address} xl migrate-receive\`. The memory stream is encrypted by SSH; Xen's relocation port (8002) is not used.`,

  /**
   * xl info + xl list + xl uptime + the image directory's stat (cpu flags and addresses on request) in one
   * SSH channel (execBatch): one round trip per host per refresh. `xl list -l` (uuids and disks, a large
   * JSON document) joins the batch on the first and on full refreshes; otherwise the previous domains' are
   * kept, and it is read in a second round trip only when a domain id appears that the last refresh lacked.
   */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const withLong = opts.full || !opts.previousDomains;
    const argvs = [
      cmd.xlInfo(),
      cmd.xlList(),
      cmd.xlUptime(),
      ...(withLong ? [cmd.xlListLong()] : []),
      ...(dir ? [statDirArgv(dir)] : []),
      ...(withCpu ? [hostArgv.cpuinfo(), hostArgv.ipAddr(), hostArgv.machineId(), hostArgv.bridges()] : []),
    ];
    const [info_, list_, uptime_, ...more] = await execBatch(runner, argvs, { timeoutMs: inventoryTimeoutMs(opts) });
    const infoText = ok(argvs[0], info_);
    const listText = ok(argvs[1], list_);
    const uptimeText = uptime_.code === 0 ? uptime_.stdout : ""; // uptime is optional detail; never fail a refresh for it
    let longText = withLong ? ok(cmd.xlListLong(), more.shift()!) : null;
    const statR = dir ? more.shift()! : null;
    const dirStat = dir && statR ? parseDirStat(dir, statR.code, statR.stdout, statR.stderr) : null;
    const cpuText = withCpu ? (more[0].code === 0 ? more[0].stdout : "") : null;
    const ipText = withCpu ? (more[1].code === 0 ? more[1].stdout : "") : null;
    // dom0's machine id: xl info names no host uuid
    const machineId = withCpu ? (more[2].code === 0 ? parseMachineId(more[2].stdout) : null) : undefined;
    const rows = parseXlList(listText);
    const known = new Map((opts.previousDomains ?? []).map((d) => [`${d.id}|${d.name}`, d]));
    if (longText === null && rows.some((r) => r.id !== 0 && !known.has(`${r.id}|${baseDomainName(r.name)}`))) {
      const [long_] = await execBatch(runner, [cmd.xlListLong()], { timeoutMs: 15_000 });
      longText = ok(cmd.xlListLong(), long_);
    }
    const info = parseXlInfo(infoText);
    const facts: HostFacts = {
      hostname: info.get("host")!,
      toolstack: "xl",
      hypervisor: "Xen",
      hypervisorVersion: info.get("xen_version")!,
      arch: info.get("machine")!,
      virtExtensions: cpuText === null ? (opts.previous?.virtExtensions ?? []) : parseCpuVirtFlags(cpuText),
      virtCaps: (info.get("virt_caps") ?? "").split(/\s+/).filter(Boolean),
      nrCpus: Number(info.get("nr_cpus")),
      totalMemoryMiB: Number(info.get("total_memory")),
      freeMemoryMiB: Number(info.get("free_memory")),
      imageDir: dirStat,
      identity: machineId === undefined ? (opts.previous?.identity ?? null) : machineId && `machine-id:${machineId}`,
      addresses: ipText === null ? (opts.previous?.addresses ?? []) : parseIpAddr(ipText),
      subnets: ipText === null ? opts.previous?.subnets : parseSubnets(ipText),
      bridges: withCpu ? (more[3].code === 0 ? parseBridges(more[3].stdout) : undefined) : opts.previous?.bridges,
    };
    const long = new Map(longText === null ? [] : parseXlListLong(longText).map((e) => [e.domid, e]));
    const uptime = parseXlUptime(uptimeText);
    const domains: DomainInfo[] = rows.map((row) => {
      const prev = longText === null ? known.get(`${row.id}|${baseDomainName(row.name)}`) : undefined;
      return {
        name: baseDomainName(row.name),
        id: row.id,
        uuid: prev
          ? prev.uuid
          : (long.get(row.id)?.uuid ?? (row.id === 0 ? "00000000-0000-0000-0000-000000000000" : null)),
        memoryMiB: row.memoryMiB,
        vcpus: row.vcpus,
        state: stateFromLetters(row.stateLetters, row.name),
        stateLetters: row.stateLetters,
        cpuSeconds: row.cpuSeconds,
        uptimeSeconds: uptime.get(row.id) ?? null,
        disks: prev ? prev.disks : (long.get(row.id)?.disks ?? []),
        bridges: prev ? prev.bridges : long.get(row.id)?.bridges,
      };
    });
    return { facts, domains };
  },
};
