import type { CommandRunner, DomainInfo, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import * as cmd from "./commands";
import { xlError } from "./errors";
import { parseCpuVirtFlags, parseIpAddr, parseXlInfo } from "./parse-info";
import { baseDomainName, parseXlList, stateFromLetters } from "./parse-list";
import { parseXlListLong } from "./parse-list-long";
import { parseXlUptime } from "./parse-uptime";
import { parseDirStat, statDirArgv } from "../linux/dir-stat";

async function run(runner: CommandRunner, argv: string[]): Promise<string> {
  const r = await runner.exec(argv, { timeoutMs: 15_000 });
  if (r.code !== 0) throw xlError(argv, r);
  return r.stdout;
}

export const xlDriver: ToolstackDriver = {
  name: "xl",

  /** xl info + xl list + xl list -l + xl uptime in parallel on one connection; cpu flags on request. */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const [infoText, listText, longText, uptimeText, cpuText, dirStat, ipText] = await Promise.all([
      run(runner, cmd.xlInfo()),
      run(runner, cmd.xlList()),
      run(runner, cmd.xlListLong()),
      run(runner, cmd.xlUptime()).catch(() => ""), // uptime is optional detail; never fail a refresh for it
      withCpu ? run(runner, cmd.cpuinfo()).catch(() => "") : Promise.resolve(null),
      dir ? runner.exec(statDirArgv(dir), { timeoutMs: 15_000 }).then((r) => parseDirStat(dir, r.code, r.stdout, r.stderr)) : Promise.resolve(null),
      withCpu ? run(runner, cmd.ipAddr()).catch(() => "") : Promise.resolve(null),
    ]);
    const info = parseXlInfo(infoText);
    const facts: HostFacts = {
      hostname: info.get("host")!,
      toolstack: "xl",
      hypervisor: "Xen",
      hypervisorVersion: info.get("xen_version")!,
      arch: info.get("machine")!,
      virtExtensions: cpuText === null ? opts.previous?.virtExtensions ?? [] : parseCpuVirtFlags(cpuText),
      virtCaps: (info.get("virt_caps") ?? "").split(/\s+/).filter(Boolean),
      nrCpus: Number(info.get("nr_cpus")),
      totalMemoryMiB: Number(info.get("total_memory")),
      freeMemoryMiB: Number(info.get("free_memory")),
      imageDir: dirStat,
      addresses: ipText === null ? opts.previous?.addresses ?? [] : parseIpAddr(ipText),
    };
    const long = new Map(parseXlListLong(longText).map((e) => [e.domid, e]));
    const uptime = parseXlUptime(uptimeText);
    const domains: DomainInfo[] = parseXlList(listText).map((row) => ({
      name: baseDomainName(row.name),
      id: row.id,
      uuid: long.get(row.id)?.uuid ?? (row.id === 0 ? "00000000-0000-0000-0000-000000000000" : null),
      memoryMiB: row.memoryMiB,
      vcpus: row.vcpus,
      state: stateFromLetters(row.stateLetters, row.name),
      stateLetters: row.stateLetters,
      cpuSeconds: row.cpuSeconds,
      uptimeSeconds: uptime.get(row.id) ?? null,
      disks: long.get(row.id)?.disks ?? [],
    }));
    return { facts, domains };
  },
};
