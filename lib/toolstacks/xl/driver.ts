import type { ExecResult } from "../../ssh/types";
import { execBatch, execNamedBatch, inventoryTimeoutMs } from "../batch";
import type { DomainInfo, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import * as cmd from "./commands";
import { xlError } from "./errors";
import { parseXlInfo } from "./parse-info";
import { hostArgv } from "../linux/host-commands";
import { linuxFacts, linuxFactCommands, machineIdentity } from "../linux/host-facts";
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
    liveDiskCopy: false,
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
   * xl info + xl list in one script (execBatch, in the host's long-lived shell): one round trip per host per refresh. On the first and on full
   * refreshes (about once a minute) the batch adds `xl list -l` (uuids and disks, a large JSON document), `xl uptime`
   * and the image directory's stat (cpu flags and addresses on request); in between, the previous domains' are kept,
   * and an uptime is the last one read plus the time since (a domain that restarts or arrives has a new domain id,
   * and a new id is read in a second round trip with `xl list -l` and `xl uptime`). Each command left out of a
   * steady refresh is a process the dom0 does not start every 5 s (`npm run bench:inventory`: 200 hosts' warm refresh
   * 86 → 61 ms on a 2-core machine, bench/RESULTS.md).
   */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const withLong = opts.full || !opts.previousDomains;
    const before = opts.previous?.imageDir;
    const keptDir = before && before.path === dir ? before : null;
    const r = await execNamedBatch(
      runner,
      {
        info: cmd.xlInfo(),
        list: cmd.xlList(),
        ...(withLong ? { long: cmd.xlListLong(), uptime: cmd.xlUptime() } : {}),
        ...(dir && (withLong || !keptDir) ? { dir: statDirArgv(dir) } : {}),
        ...(withCpu ? { ...linuxFactCommands(), machineId: hostArgv.machineId() } : {}),
      },
      { timeoutMs: inventoryTimeoutMs(opts) },
    );
    const infoText = ok(cmd.xlInfo(), r.info);
    const listText = ok(cmd.xlList(), r.list);
    let uptimeResult = r.uptime;
    let longText = r.long ? ok(cmd.xlListLong(), r.long) : null;
    const dirStat = dir ? (r.dir ? parseDirStat(dir, r.dir.code, r.dir.stdout, r.dir.stderr) : keptDir) : null;
    const rows = parseXlList(listText);
    const known = new Map((opts.previousDomains ?? []).map((d) => [`${d.id}|${d.name}`, d]));
    if (longText === null && rows.some((r) => r.id !== 0 && !known.has(`${r.id}|${baseDomainName(r.name)}`))) {
      const [long_, uptime_] = await execBatch(runner, [cmd.xlListLong(), cmd.xlUptime()], { timeoutMs: 15_000 });
      longText = ok(cmd.xlListLong(), long_);
      uptimeResult = uptime_;
    }
    // uptime is optional detail; never fail a refresh for it
    const uptime = uptimeResult ? parseXlUptime(uptimeResult.code === 0 ? uptimeResult.stdout : "") : null;
    const sincePrevious = opts.previousAt ? Math.max(0, (Date.now() - Date.parse(opts.previousAt)) / 1000) : null;
    const info = parseXlInfo(infoText);
    const facts: HostFacts = {
      hostname: info.get("host")!,
      toolstack: "xl",
      hypervisor: "Xen",
      hypervisorVersion: info.get("xen_version")!,
      arch: info.get("machine")!,
      virtCaps: (info.get("virt_caps") ?? "").split(/\s+/).filter(Boolean),
      nrCpus: Number(info.get("nr_cpus")),
      totalMemoryMiB: Number(info.get("total_memory")),
      freeMemoryMiB: Number(info.get("free_memory")),
      imageDir: dirStat,
      identity: machineIdentity(r.machineId, opts.previous),
      ...linuxFacts(r, opts.previous),
    };
    const long = new Map(longText === null ? [] : parseXlListLong(longText).map((e) => [e.domid, e]));
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
        uptimeSeconds: uptime ? (uptime.get(row.id) ?? null) : carried(prev?.uptimeSeconds, sincePrevious),
        disks: prev ? prev.disks : (long.get(row.id)?.disks ?? []),
        bridges: prev ? prev.bridges : long.get(row.id)?.bridges,
      };
    });
    return { facts, domains };
  },
};

/** an uptime read earlier, plus the seconds since (null when either is unknown) */
function carried(was: number | null | undefined, since: number | null): number | null {
  return was == null || since === null ? null : was + since;
}
