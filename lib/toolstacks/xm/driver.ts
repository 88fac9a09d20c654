import type { ExecResult } from "../../ssh/types";
import { execNamedBatch, inventoryTimeoutMs } from "../batch";
import { parseDirStat, statDirArgv } from "../linux/dir-stat";
import { hostArgv } from "../linux/host-commands";
import { linuxFacts, linuxFactCommands, machineIdentity } from "../linux/host-facts";
import type { DomainInfo, DriverCheck, HostFacts, HostSnapshot, ToolstackDriver } from "../types";
import { AppError, isAppError } from "../../errors";
import * as cmd from "./commands";
import { xmError } from "./errors";
import { locate, migrateXm } from "./migrate";
import { hostsAllowMatch, parseXendConfig, parseXmInfo, parseXmList, parseXmListLong, xmVersion } from "./parse";
import { xmFiles } from "./saverestore";
import { stateOfXmLetters } from "./state";

// Legacy Xen hosts driven by xm and xend (Xen ≤ 4.4, the guide's own commands; lib/toolstacks/REFERENCE.md §2).
// Migration goes through the target's xend relocation server (TCP 8002), not SSH: the pre-flight checks read
// the target's xend-config.sxp and knock on its port from the source, and the dialog says plainly that the
// memory travels unauthenticated and unencrypted unless SSL relocation is on.

function ok(argv: readonly string[], r: ExecResult): string {
  if (r.code !== 0) throw xmError([...argv], r);
  return r.stdout;
}

const parseOr = <T>(f: () => T): T => {
  try {
    return f();
  } catch (e) {
    // a failed command keeps its own error (xm missing: detection moves on); only a text Ferry cannot read is a parse error
    if (isAppError(e)) throw e;
    throw new AppError("toolstack_parse_error", (e as Error).message);
  }
};

export const xmDriver: ToolstackDriver = {
  name: "xm",
  label: "xm (Xen, xend)",
  probeCommand: "xm",
  capabilities: {
    migrationOptions: false,
    tuneWhileRunning: false,
    // libxc's rounds, from xend.log
    reportsRounds: true,
    roundsSource: "Xen's libxc, from xend.log",
    definedDomains: true,
    completeDiskList: true,
    liveDiskCopy: false,
    precopyPolicy: "xen-legacy",
    memoryModel: "xen",
    migratesOverSsh: false,
    // the rounds come from xend.log, but the downtime is measured from outside as for xl (fast polls)
    reportsDowntime: false,
  },
  migrate: migrateXm,
  locate,
  error: xmError,
  files: xmFiles,
  transport: (_source, address) =>
    `xm migrate through xend's relocation server on ${address} (TCP 8002, or 8003 with SSL relocation). Without SSL the memory crosses the network unauthenticated and unencrypted.`,

  /** xm info + xm list + xm list --long (+ the image directory, cpu flags, addresses) in one script (execBatch). */
  async snapshot(runner, opts = {}): Promise<HostSnapshot> {
    const withCpu = opts.withCpuFlags || !opts.previous;
    const dir = opts.imageDir;
    const r = await execNamedBatch(
      runner,
      {
        info: cmd.xmInfo(),
        list: cmd.xmList(),
        long: cmd.xmListLong(),
        ...(dir ? { dir: statDirArgv(dir) } : {}),
        ...(withCpu ? { ...linuxFactCommands(), machineId: hostArgv.machineId() } : {}),
      },
      { timeoutMs: inventoryTimeoutMs(opts) },
    );
    const info = parseOr(() => parseXmInfo(ok(cmd.xmInfo(), r.info)));
    const rows = parseOr(() => parseXmList(ok(cmd.xmList(), r.list)));
    const long = new Map(parseOr(() => parseXmListLong(ok(cmd.xmListLong(), r.long))).map((d) => [d.name, d]));
    const facts: HostFacts = {
      hostname: info.get("host")!,
      toolstack: "xm",
      hypervisor: "Xen",
      hypervisorVersion: xmVersion(info),
      arch: info.get("machine")!,
      virtCaps: (info.get("virt_caps") ?? "").split(/\s+/).filter(Boolean),
      nrCpus: Number(info.get("nr_cpus")),
      totalMemoryMiB: Number(info.get("total_memory")),
      freeMemoryMiB: Number(info.get("free_memory")),
      imageDir: dir && r.dir ? parseDirStat(dir, r.dir.code, r.dir.stdout, r.dir.stderr) : null,
      identity: machineIdentity(r.machineId, opts.previous),
      ...linuxFacts(r, opts.previous),
    };
    const domains: DomainInfo[] = rows.map((row) => ({
      name: row.name,
      // a managed domain that is not running has no id: -1, as libvirt's defined domains
      id: row.id ?? -1,
      uuid: long.get(row.name)?.uuid ?? (row.id === 0 ? "00000000-0000-0000-0000-000000000000" : null),
      memoryMiB: row.memoryMiB,
      vcpus: row.vcpus,
      state: row.id === null ? "shutdown" : stateOfXmLetters(row.stateLetters),
      stateLetters: row.id === null ? "shut off" : row.stateLetters,
      cpuSeconds: row.cpuSeconds,
      uptimeSeconds: null,
      disks: long.get(row.name)?.disks ?? [],
      bridges: long.get(row.name)?.bridges,
    }));
    return { facts, domains };
  },

  /**
   * The guide's preconditions for xend's relocation: the target's xend-config.sxp turns the relocation server on,
   * its hosts-allow patterns admit the source (the pattern that matched, or why none did), the port answers from
   * the source, and the operator has read that the stream is unauthenticated and unencrypted.
   */
  async preflight(ctx): Promise<DriverCheck[]> {
    const checks: DriverCheck[] = [];
    const r = await ctx.target.exec(cmd.xendConfig(), { timeoutMs: 8_000 }).catch(() => null);
    if (r?.code !== 0)
      return [
        {
          id: "relocation",
          label: "xend accepts migrations on the target",
          status: "fail",
          reason: `Could not read ${cmd.XEND_CONFIG} on ${ctx.targetName}${r ? `: ${r.stderr.trim().split("\n")[0]}` : ""}.`,
        },
      ];
    const cfg = parseXendConfig(r.stdout);
    const port = cfg.sslServer ? cfg.sslPort : cfg.port;
    checks.push(
      cfg.server || cfg.sslServer
        ? {
            id: "relocation",
            label: "xend accepts migrations on the target",
            status: "ok",
            reason: `${ctx.targetName}'s xend-config.sxp has the relocation server on, port ${port}${cfg.sslServer ? " (SSL)" : ""}.`,
          }
        : {
            id: "relocation",
            label: "xend accepts migrations on the target",
            status: "fail",
            reason: `${ctx.targetName}'s xend does not accept migrations: set (xend-relocation-server yes) in ${cmd.XEND_CONFIG} and restart xend.`,
          },
    );
    const byAddress = ctx.sourceAddresses
      .map((a) => hostsAllowMatch(cfg.hostsAllow, { address: a, names: ctx.sourceNames }))
      .find((m) => m.allowed);
    const verdict = byAddress ?? hostsAllowMatch(cfg.hostsAllow, { address: "", names: ctx.sourceNames });
    checks.push(
      cfg.hostsAllow.length === 0
        ? {
            id: "relocation-allow",
            label: "The target's hosts-allow admits the source",
            status: "ok",
            reason: `xend-relocation-hosts-allow is empty on ${ctx.targetName}: it admits every host.`,
          }
        : verdict.allowed
          ? {
              id: "relocation-allow",
              label: "The target's hosts-allow admits the source",
              status: "ok",
              reason: `'${verdict.pattern}' in ${ctx.targetName}'s xend-relocation-hosts-allow matches ${verdict.matched}.`,
            }
          : {
              id: "relocation-allow",
              label: "The target's hosts-allow admits the source",
              status: "fail",
              reason: `None of ${ctx.targetName}'s xend-relocation-hosts-allow patterns (${cfg.hostsAllow.join(" ")}) matches ${ctx.sourceName}'s addresses (${ctx.sourceAddresses.join(", ") || "none known"}) or names (${ctx.sourceNames.join(", ")}): xend would turn it away. Add a pattern such as '^${ctx.sourceAddresses[0]?.replace(/\./g, "\\.") ?? ctx.sourceName}$' and restart xend.${verdict.invalid.length ? ` Invalid patterns: ${verdict.invalid.join(" ")}.` : ""}`,
            },
    );
    const knock = await ctx.source
      .exec(cmd.probePort(ctx.targetAddress, port), { timeoutMs: 10_000 })
      .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }) as ExecResult);
    checks.push(
      knock.code === 0
        ? {
            id: "relocation-port",
            label: "The relocation port answers from the source",
            status: "ok",
            reason: `${ctx.sourceName} connects to ${ctx.targetAddress}:${port}.`,
          }
        : {
            id: "relocation-port",
            label: "The relocation port answers from the source",
            status: "fail",
            reason: `${ctx.sourceName} cannot connect to ${ctx.targetAddress}:${port} (${knock.stderr.trim().split("\n")[0] || `exit ${knock.code}`}). Open it on ${ctx.targetName} for the source only, e.g. iptables -A INPUT -p tcp -s ${ctx.sourceAddresses[0] ?? ctx.sourceName} --dport ${port} -j ACCEPT.`,
          },
    );
    checks.push(
      cfg.sslServer
        ? {
            id: "transport",
            label: "How the memory travels",
            status: "ok",
            reason: `Over xend's SSL relocation (port ${cfg.sslPort}): encrypted.`,
          }
        : {
            id: "transport",
            label: "How the memory travels",
            status: "warn",
            reason: `Over xend's relocation port ${cfg.port}, unauthenticated and unencrypted: anyone on this network can read the domain's memory as it passes, and any host the patterns admit can send ${ctx.targetName} a domain. Use it only on a trusted migration network (or turn on xend-relocation-ssl-server).`,
          },
    );
    return checks;
  },
};
