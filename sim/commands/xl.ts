import type { CommandFn, CommandIO } from "../sh/run";
import type { SimDomain, SimHost, World } from "../world";
import { xlMigrate } from "./xl-migrate";
import { xlRestore, xlSave } from "./xl-saverestore";
import { domainConfig } from "./xl-config";

// Emulates Xen's `xl` to the character of lib/toolstacks/REFERENCE.md §1: tables on stdout,
// messages on stderr, exit 1 for failures, 2 for option errors.

const DOM0_UUID = "00000000-0000-0000-0000-000000000000";

interface Dom0View {
  name: string;
  domid: number;
  memoryMiB: number;
  vcpus: number;
  letters: string;
  cpu: number;
  uuid: string;
}

/** xl 4.17's command table (xl_cmdtable.c), for cmdtable_lookup's abbreviations. */
const XL_COMMANDS = [
  "create",
  "config-update",
  "list",
  "destroy",
  "shutdown",
  "reboot",
  "pci-attach",
  "pci-detach",
  "pci-list",
  "pci-assignable-add",
  "pci-assignable-remove",
  "pci-assignable-list",
  "pause",
  "unpause",
  "console",
  "vncviewer",
  "save",
  "migrate",
  "restore",
  "migrate-receive",
  "dump-core",
  "cd-insert",
  "cd-eject",
  "mem-max",
  "mem-set",
  "button-press",
  "vcpu-list",
  "vcpu-pin",
  "vcpu-set",
  "vm-list",
  "info",
  "sharing",
  "sched-credit",
  "sched-credit2",
  "sched-rtds",
  "domid",
  "domname",
  "rename",
  "trigger",
  "sysrq",
  "debug-keys",
  "set-parameters",
  "dmesg",
  "top",
  "network-attach",
  "network-list",
  "network-detach",
  "channel-list",
  "block-attach",
  "block-list",
  "block-detach",
  "vtpm-attach",
  "vtpm-list",
  "vtpm-detach",
  "vdispl-attach",
  "vdispl-list",
  "vdispl-detach",
  "vsnd-attach",
  "vsnd-list",
  "vsnd-detach",
  "vkb-attach",
  "vkb-list",
  "vkb-detach",
  "uptime",
  "claims",
  "cpupool-create",
  "cpupool-list",
  "cpupool-destroy",
  "cpupool-rename",
  "cpupool-cpu-add",
  "cpupool-cpu-remove",
  "cpupool-migrate",
  "cpupool-numa-split",
  "getenforce",
  "setenforce",
  "loadpolicy",
  "remus",
  "colo",
  "devd",
  "psr-hwinfo",
  "psr-cmt-attach",
  "psr-cmt-detach",
  "psr-cmt-show",
  "psr-cat-set",
  "psr-cat-show",
  "psr-mba-set",
  "psr-mba-show",
  "usbctrl-attach",
  "usbctrl-detach",
  "usbdev-attach",
  "usbdev-detach",
  "usb-list",
  "qemu-monitor-command",
  "help",
];

/** cmdtable_lookup: a command or an unambiguous beginning of one ("li" is list); null when none or several match. */
export function lookupXlCommand(s: string | undefined): string | null {
  if (!s) return null;
  if (XL_COMMANDS.includes(s)) return s;
  const hits = XL_COMMANDS.filter((c) => c.startsWith(s));
  return hits.length === 1 ? hits[0] : null;
}

export function xlCommand(world: World, hostName: string): CommandFn {
  return (argv, io) => {
    const host = world.host(hostName);
    let i = 1;
    while (i < argv.length && /^-[vftTN]+$/.test(argv[i])) i++;
    if (i < argv.length && argv[i].startsWith("-")) {
      // getopt's complaint first (argv[0] as the shell found it), then xl's (real Xen 4.17: fixtures/xen417)
      const bad =
        argv[i]
          .slice(1)
          .split("")
          .find((c) => !"vftTN".includes(c)) ?? "-";
      io.err(`${argv[0]}: invalid option -- '${bad}'\nunknown global option\n`);
      return 1;
    }
    const sub = lookupXlCommand(argv[i]) ?? argv[i];
    const args = argv.slice(i + 1);
    switch (sub) {
      case undefined:
        io.out(
          "Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n list  List information about all/some domains\n info  Get information about Xen host\n uptime  Print uptime for all/some domains\n",
        );
        return 1;
      case "help":
        if (args[0] && lookupXlCommand(args[0]) === "list") {
          io.out(LIST_USAGE);
          return 0;
        }
        io.out(
          "Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n list  List information about all/some domains\n info  Get information about Xen host\n uptime  Print uptime for all/some domains\n",
        );
        return 0;
      case "info":
        return xlInfo(world, host, args, io);
      case "list":
        return xlList(world, host, args, io);
      case "uptime":
        return xlUptime(world, host, args, io);
      case "migrate":
        return xlMigrate(world, hostName, args, io);
      case "save":
        return xlSave(world, hostName, args, io);
      case "restore":
        return xlRestore(world, hostName, args, io);
      default:
        io.err("command not implemented\n");
        return 1;
    }
  };
}

/** `xl help list` / `xl list -h` (real Xen 4.17, fixtures/xen417/help-list.stdout) */
const LIST_USAGE =
  "Usage: xl [-vtT] list [options] [Domain]\n\n\nList information about all/some domains.\n\nOptions:\n\n-l, --long              Output all VM details\n-v, --verbose           Prints out UUIDs and security context\n-Z, --context           Prints out security context\n-c, --cpupool           Prints the cpupool the domain is in\n-n, --numa              Prints out NUMA node affinity\n";

/** def_getopt: unknown option → "option `X' not supported." exit 2 (an unknown long option is named by a NUL: getopt's
 * optopt is 0 for it, as real xl 4.17 prints). Returns null on error. */
function getopt(args: string[], letters: string, longs: Record<string, string>, io: CommandIO) {
  const flags = new Set<string>();
  const rest: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === "--") {
      rest.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const f = longs[a.slice(2)];
      if (!f) {
        io.err("option `\0' not supported.\n");
        return null;
      }
      flags.add(f);
    } else if (a.startsWith("-") && a.length > 1) {
      for (const ch of a.slice(1)) {
        if (!letters.includes(ch)) {
          io.err(`option \`${ch}' not supported.\n`);
          return null;
        }
        flags.add(ch);
      }
    } else rest.push(a);
  }
  return { flags, rest };
}

function dom0(_world: World, host: SimHost, now: number): Dom0View {
  return {
    name: "Domain-0",
    domid: 0,
    memoryMiB: host.dom0MemoryMiB,
    vcpus: host.nrCpus,
    letters: "r-----",
    cpu: ((now - host.bootedAt) / 1000) * 0.05,
    uuid: DOM0_UUID,
  };
}

function stateLetters(d: SimDomain): string {
  switch (d.state) {
    case "running":
      return "r-----";
    case "blocked":
      return "-b----";
    case "paused":
      return "--p---";
    case "suspended":
      return "---ss-";
    case "crashed":
      return "---sc-";
    case "dying":
      return "-----d";
    case "shutoff":
      return "---s--"; // xl never lists a shut-off domain; here for completeness
  }
}

function rows(world: World, host: SimHost, now: number): Dom0View[] {
  return [
    dom0(world, host, now),
    ...host.domains.map((d) => ({
      name: d.name,
      domid: d.domid,
      memoryMiB: d.memoryMiB,
      vcpus: d.vcpus,
      letters: stateLetters(d),
      cpu: world.cpuSeconds(d, now),
      uuid: d.uuid,
    })),
  ];
}

/** find_domain(): a numeric argument is a domid (checked later), anything else must be a name. */
function selectDomain(all: Dom0View[], arg: string, io: CommandIO): Dom0View | null {
  if (/^[0-9]+$/.test(arg)) {
    const found = all.find((r) => r.domid === Number(arg));
    if (!found) io.err(`Error: Domain '${arg}' does not exist.\n`);
    return found ?? null;
  }
  const found = all.find((r) => r.name === arg);
  if (!found) io.err(`${arg} is an invalid domain identifier (rc=-6)\n`);
  return found ?? null;
}

function xlList(world: World, host: SimHost, args: string[], io: CommandIO): number {
  const opts = getopt(
    args,
    "lvZcnh",
    { long: "l", verbose: "v", context: "Z", cpupool: "c", numa: "n", help: "h" },
    io,
  );
  if (!opts) return 2;
  if (opts.flags.has("h")) {
    io.out(LIST_USAGE);
    return 0;
  }
  if (opts.rest.length > 1) {
    io.out(LIST_USAGE);
    return 1;
  }
  const now = Date.now();
  let selected = rows(world, host, now);
  if (opts.rest.length === 1) {
    const one = selectDomain(selected, opts.rest[0], io);
    if (!one) return 1;
    selected = [one];
  }
  if (opts.flags.has("l")) {
    // Domain-0 is listed too, with the little xen-init-dom0 stores for it (real Xen 4.17: fixtures/xen417)
    const entries = selected.map((r) => (r.domid === 0 ? dom0Entry(host) : longEntry(host, r)));
    io.out(`${entries.length ? JSON.stringify(entries, null, 4) : "[\n]"}\n`);
    return 0;
  }
  const verbose = opts.flags.has("v");
  let out = "Name                                        ID   Mem VCPUs\tState\tTime(s)";
  if (verbose) out += "   UUID                            Reason-Code\tSecurity Label";
  out += "\n";
  for (const r of selected) {
    out += `${r.name.padEnd(40)} ${String(r.domid).padStart(5)} ${String(r.memoryMiB).padStart(5)} ${String(r.vcpus).padStart(5)}     ${r.letters}  ${r.cpu.toFixed(1).padStart(8)}`;
    if (verbose) out += ` ${r.uuid} ${"-".padStart(8)} ${"-".padStart(16)}`;
    out += "\n";
  }
  io.out(out);
  return 0;
}

/** Domain-0's `xl list -l` entry: the type, name and memory xen-init-dom0 records, and the scheduler's defaults. */
function dom0Entry(host: SimHost) {
  const memkb = host.dom0MemoryMiB * 1024;
  return {
    domid: 0,
    config: {
      c_info: { type: "pv", name: "Domain-0" },
      b_info: {
        max_memkb: memkb,
        target_memkb: memkb - 1,
        sched_params: { sched: "credit2", weight: 256, cap: 0 },
        "type.pv": {},
        arch_arm: {},
        arch_x86: {},
      },
    },
  };
}

/** `xl list -l` entry: {domid, config} with default-valued fields omitted (gentypes.py). */
function longEntry(host: SimHost, r: Dom0View) {
  const d = host.domains.find((x) => x.domid === r.domid)!;
  return { domid: d.domid, config: domainConfig(d) };
}

/** The libxl domain config of a domain, as `xl list -l` and save files carry it. */
function xlInfo(world: World, host: SimHost, args: string[], io: CommandIO): number {
  const opts = getopt(args, "nxh", { numa: "n", xenstore: "x", help: "h" }, io);
  if (!opts) return 2;
  const [major, minor, extra] = host.xenVersion.split(".");
  const caps = host.virtFlag
    ? " pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share vmtrace gnttab-v1 gnttab-v2"
    : " pv pv_directio gnttab-v1 gnttab-v2";
  const lines: [string, string][] = [
    ["host", host.hostname],
    ["release", host.kernelRelease],
    ["version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"],
    ["machine", host.arch],
    ["nr_cpus", String(host.nrCpus)],
    ["max_cpu_id", String(host.nrCpus - 1)],
    ["nr_nodes", "1"],
    ["cores_per_socket", String(host.nrCpus / 2)],
    ["threads_per_core", "2"],
    ["cpu_mhz", host.cpuMhz.toFixed(3)],
    ["hw_caps", "bfebfbff:77fef3ff:2c100800:00000121:0000000f:009c6fbf:00000000:00000100"],
    ["virt_caps", caps],
    ["total_memory", String(host.totalMemoryMiB)],
    ["free_memory", String(world.freeMemoryMiB(host))],
    ["sharing_freed_memory", "0"],
    ["sharing_used_memory", "0"],
    ["outstanding_claims", "0"],
    ["free_cpus", "0"],
    ["xen_major", major],
    ["xen_minor", minor],
    ["xen_extra", `.${extra}`],
    ["xen_version", host.xenVersion],
    [
      "xen_caps",
      host.arch === "x86_64"
        ? "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
        : "xen-3.0-aarch64 xen-3.0-armv7l",
    ],
    ["xen_scheduler", "credit2"],
    ["xen_pagesize", "4096"],
    ["platform_params", "virt_start=0xffff800000000000"],
    ["xen_changeset", ""],
    ["xen_commandline", `placeholder dom0_mem=${host.dom0MemoryMiB}M,max:${host.dom0MemoryMiB}M`],
    ["cc_compiler", "gcc (Debian 12.2.0-14) 12.2.0"],
    ["cc_compile_by", "pkg-xen-devel"],
    ["cc_compile_domain", "lists.alioth.debian.org"],
    ["cc_compile_date", "Mon Feb 19 12:00:00 UTC 2024"],
    ["build_id", "0123456789abcdef0123456789abcdef01234567"],
    ["xend_config_format", "4"],
  ];
  const prefix = opts.rest[0];
  let out = "";
  for (const [k, v] of lines) {
    if (prefix !== undefined) {
      if (k.startsWith(prefix)) out += `${v.trimStart()}\n`;
      continue;
    }
    // virt_caps is printed as "virt_caps              :%s" with each flag carrying its own space.
    out += k === "virt_caps" ? `${k.padEnd(23)}:${v}\n` : `${k.padEnd(23)}: ${v}\n`;
  }
  io.out(out);
  return 0;
}

function uptimeString(seconds: number): string {
  let s = Math.floor(seconds);
  const day = Math.floor(s / 86400);
  s -= day * 86400;
  const hour = Math.floor(s / 3600);
  s -= hour * 3600;
  const min = Math.floor(s / 60);
  s -= min * 60;
  const hms = `${String(hour).padStart(2)}:${String(min).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return day > 1 ? `${day} days, ${hms}` : day === 1 ? `${day} day, ${hms}` : hms;
}

/** `xl uptime` (xl_info.c: print_uptime): "%-33s %4d %s" rows under a "Name ID Uptime" header. */
function xlUptime(world: World, host: SimHost, args: string[], io: CommandIO): number {
  const opts = getopt(args, "sh", { help: "h" }, io);
  if (!opts) return 2;
  const now = Date.now();
  const all = rows(world, host, now);
  const chosen: Dom0View[] = [];
  for (const arg of opts.rest) {
    const one = selectDomain(all, arg, io);
    if (!one) return 1;
    chosen.push(one);
  }
  let out = `${"Name".padEnd(33)} ${"ID".padStart(4)} Uptime\n`;
  for (const r of chosen.length ? chosen : all) {
    const d = host.domains.find((x) => x.domid === r.domid);
    const started = d ? d.startedAt : host.bootedAt;
    out += `${r.name.padEnd(33)} ${String(r.domid).padStart(4)} ${uptimeString((now - started) / 1000)}\n`;
  }
  io.out(out);
  return 0;
}
