import type { CommandFn, CommandIO } from "../sh/run";
import type { SimDomain, SimHost, World } from "../world";
import { pause, send } from "./xl-migrate";

// Emulates legacy Xen's `xm` and xend (Xen 4.1; lib/toolstacks/REFERENCE.md §2 and xm/main.py, xm/migrate.py,
// xend/XendCheckpoint.py, xend/server/relocate.py, libxc's xc_domain_save.c of that era):
// - `xm list` (spaces, no tabs; an inactive managed domain has no ID), `xm list --long` (SXP), `xm info`;
// - `xm save` / `xm restore` print nothing on success; the file starts "LinuxGuestRecord", a big-endian length
//   and the SXP config;
// - `xm migrate --live` connects to the target's relocation server (xend-relocation-port, 8002) which admits the
//   source only if a xend-relocation-hosts-allow pattern matches its address or name (re.match); otherwise it
//   logs "Rejected connection from …" and closes, and the source's xc_save fails with errno 104;
// - the pre-copy loop of legacy libxc: at most 29 rounds, stop when a round sent and skipped < 50 pages or the
//   total passed 3× memory, then one round with the domain suspended. Each round's record goes to the source's
//   /var/log/xen/xend.log when the round ends, as XendCheckpoint logs xc_save's stderr (backspaces included).

const PAGE = 4096;
const MAX_ITERS = 29;
const MAX_FACTOR = 3;
const XC_SAVE = "/usr/lib/xen/bin/xc_save";

const USAGE_MIGRATE =
  "Usage: xm migrate <Domain> <Host>\n\nMigrate a domain to another machine.\n\nOptions:\n\n-h, --help           Print this help.\n-l, --live           Use live migration.\n-p=portnum, --port=portnum\n                     Use specified port for migration.\n-n=nodenum, --node=nodenum\n                     Use specified NUMA node on target.\n-s, --ssl            Use ssl connection for migration.\n-c, --change_home_server\n                     Change home server for managed domains.\n";

/** A host's xend: its configuration file, its log and its process id (the log's records carry it). */
export interface SimXend {
  config: string;
  log: string;
  pid: number;
}

export function xendOf(host: SimHost): SimXend {
  if (!host.xend) host.xend = { config: defaultXendConfig([]), log: "", pid: 2000 + host.name.length * 7 };
  return host.xend;
}

/** Xen 4.1's stock xend-config.sxp with the relocation server on, as the guide sets it up. */
export function defaultXendConfig(allow: string[]): string {
  return [
    "# -*- sh -*-",
    "# Xend configuration file.",
    "#(logfile /var/log/xen/xend.log)",
    "(xend-http-server no)",
    "(xend-unix-server yes)",
    "(xend-relocation-server yes)",
    "(xend-relocation-ssl-server no)",
    "(xend-relocation-port 8002)",
    "(xend-relocation-address '')",
    `(xend-relocation-hosts-allow '${allow.map((a) => a.replace(/\\/g, "\\\\")).join(" ")}')`,
    "(network-script network-bridge)",
    "(vif-script vif-bridge)",
    "(dom0-min-mem 196)",
    "",
  ].join("\n");
}

/** The relocation settings as xend reads them (the last of a key wins; XendOptions' defaults). */
function relocation(host: SimHost) {
  const cfg = xendOf(host).config.replace(/^\s*#.*$/gm, "");
  const get = (k: string) => {
    const all = [...cfg.matchAll(new RegExp(`\\(${k}\\s+(?:'((?:\\\\.|[^'])*)'|"([^"]*)"|([^)\\s]*))\\s*\\)`, "g"))];
    const m = all.at(-1);
    return m ? (m[1] ?? m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1") : undefined;
  };
  return {
    server: /^(yes|true|1)$/i.test(get("xend-relocation-server") ?? "no"),
    port: Number(get("xend-relocation-port") ?? 8002),
    ssl: /^(yes|true|1)$/i.test(get("xend-relocation-ssl-server") ?? "no"),
    sslPort: Number(get("xend-relocation-ssl-port") ?? 8003),
    allow: (get("xend-relocation-hosts-allow") ?? "").split(/\s+/).filter(Boolean),
  };
}

/** The TCP ports xend listens on for relocation (none when the relocation servers are off). */
export function relocationPorts(host: SimHost): number[] {
  if (!host.xend) return [];
  const r = relocation(host);
  return [...(r.server ? [r.port] : []), ...(r.ssl ? [r.sslPort] : [])];
}

/** relocate.py → connection.hostAllowed: re.match of each pattern against the peer's address, then its name. */
function hostAllowed(patterns: string[], address: string, fqdn: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => {
    try {
      const re = new RegExp(`^(?:${p})`);
      return re.test(fqdn) || re.test(address);
    } catch {
      return false;
    }
  });
}

function stamp(now = Date.now()): string {
  return new Date(now).toISOString().replace("T", " ").slice(0, 19);
}

/** Appends records to a host's xend.log in xend's layout: `[date time xend pid] LEVEL (Module:line) message`. */
export function xendLog(host: SimHost, level: "DEBUG" | "INFO" | "WARNING" | "ERROR", where: string, msg: string) {
  const x = xendOf(host);
  x.log += `[${stamp()} xend ${x.pid}] ${level} (${where}) ${msg}\n`;
}

export function xmLetters(d: SimDomain): string {
  switch (d.state) {
    case "running":
      return "r-----";
    case "blocked":
      return "-b----";
    case "paused":
      return "--p---";
    case "suspended":
      return "---s--";
    case "crashed":
      return "----c-";
    case "dying":
      return "-----d";
    default:
      return "------";
  }
}

/** The domain's configuration as xend's sxpr() gives it (the parts Ferry reads and a few around them). */
export function domainSxp(d: SimDomain, host: SimHost): string {
  const active = d.state !== "shutoff";
  return [
    "(domain",
    ...(active ? [`    (domid ${d.domid})`] : []),
    "    (on_crash restart)",
    `    (uuid ${d.uuid})`,
    `    (vcpus ${d.vcpus})`,
    `    (name ${d.name})`,
    "    (on_poweroff destroy)",
    "    (on_reboot restart)",
    `    (maxmem ${d.memoryMiB})`,
    `    (memory ${d.memoryMiB})`,
    "    (shadow_memory 0)",
    "    (on_xend_start ignore)",
    "    (on_xend_stop ignore)",
    ...(active ? [`    (start_time ${(d.startedAt / 1000).toFixed(2)})`, `    (state ${xmLetters(d)})`] : []),
    "    (image",
    `        (linux (kernel ${d.kernel}) (notes (GUEST_OS linux) (XEN_VERSION xen-3.0)))`,
    "    )",
    "    (status 2)",
    "    (device",
    `        (vif (bridge ${host.bridge ?? "eth0"}) (mac ${d.mac}) (script /etc/xen/scripts/vif-bridge) (backend 0))`,
    "    )",
    ...d.disks.map(
      (k) =>
        `    (device\n        (vbd (protocol x86_64-abi) (dev ${k.vdev}:disk) (uname file:${k.target}) (mode w) (backend 0))\n    )`,
    ),
    ")",
  ].join("\n");
}

export function xmCommand(world: World, hostName: string): CommandFn {
  return (argv, io) => {
    const host = world.host(hostName);
    const sub = argv[1];
    const args = argv.slice(2);
    switch (sub) {
      case "info":
        return xmInfo(world, host, io);
      case "list":
        return xmList(world, host, args, io);
      case "save":
        return xmSave(world, host, args, io);
      case "restore":
        return xmRestore(world, host, args, io);
      case "migrate":
        return xmMigrate(world, host, args, io);
      case undefined:
        io.err("Usage: xm <subcommand> [args]\n\nControl, list, and manipulate Xen guest instances.\n");
        return 1;
      default:
        io.err(`Error: Subcommand ${sub} not found!\n`);
        return 1;
    }
  };
}

function xmInfo(world: World, h: SimHost, io: CommandIO): number {
  const [major, minor, ...rest] = h.xenVersion.split(".");
  const line = (k: string, v: string | number) => `${k.padEnd(23)}: ${v}\n`;
  io.out(
    line("host", h.hostname) +
      line("release", h.kernelRelease) +
      line("version", "#1 SMP Thu Mar 21 22:21:45 UTC 2013") +
      line("machine", h.arch) +
      line("nr_cpus", h.nrCpus) +
      line("nr_nodes", 1) +
      line("cores_per_socket", h.nrCpus) +
      line("threads_per_core", 1) +
      line("cpu_mhz", Math.round(h.cpuMhz)) +
      line("virt_caps", h.virtFlag ? "hvm" : "") +
      line("total_memory", h.totalMemoryMiB) +
      line("free_memory", world.freeMemoryMiB(h)) +
      line("free_cpus", 0) +
      line("xen_major", major) +
      line("xen_minor", minor) +
      line("xen_extra", rest.length ? `.${rest.join(".")}` : "") +
      line("xen_caps", "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64") +
      line("xen_scheduler", "credit") +
      line("xen_pagesize", 4096) +
      line("cc_compiler", "gcc version 4.3.4 [gcc-4_3-branch revision 152973] (SUSE Linux)") +
      line("xend_config_format", 4),
  );
  return 0;
}

/**
 * `xm list [-l|--long] [Domain …]`: every domain, or the ones named (in the order named; by name or id), refusing a
 * name xend does not know as xm does (`Error: Domain 'NAME' does not exist.`, status 1).
 */
function xmList(world: World, h: SimHost, args: string[], io: CommandIO): number {
  const bad = args.find((a) => a.startsWith("-") && a !== "-l" && a !== "--long");
  if (bad) {
    io.err(
      `Error: option ${bad} not recognized\nUsage: xm list [options] [Domain, ...]\n\nList information about all/some domains.\n`,
    );
    return 1;
  }
  const long = args.includes("-l") || args.includes("--long");
  const dom0 = { name: "Domain-0", domid: 0, memoryMiB: h.dom0MemoryMiB, vcpus: h.nrCpus, letters: "r-----" };
  const named = args.filter((a) => !a.startsWith("-"));
  const isDom0 = (n: string) => n === "Domain-0" || n === "0";
  const find = (n: string) => h.domains.find((d) => d.name === n || (d.state !== "shutoff" && String(d.domid) === n));
  const missing = named.find((n) => !isDom0(n) && !find(n));
  if (missing) {
    io.err(`Error: Domain '${missing}' does not exist.\n`);
    return 1;
  }
  const withDom0 = named.length === 0 || named.some(isDom0);
  const domains = named.length ? named.filter((n) => !isDom0(n)).map((n) => find(n)!) : h.domains;
  if (long) {
    io.out(`${domains.map((d) => domainSxp(d, h)).join("\n")}\n`);
    return 0;
  }
  let out = `${"Name".padEnd(40)} ${"ID".padStart(5)} ${"Mem".padStart(5)} ${"VCPUs".padStart(5)} ${"State".padStart(10)} ${"Time(s)".padStart(9)}\n`;
  const row = (name: string, id: string, mem: number, vcpus: number, letters: string, cpu: number) =>
    `${name.padEnd(40)} ${id.padStart(5)} ${String(mem).padStart(5)} ${String(vcpus).padStart(5)} ${letters.padStart(10)} ${cpu.toFixed(1).padStart(8)}\n`;
  if (withDom0) out += row(dom0.name, "0", dom0.memoryMiB, dom0.vcpus, dom0.letters, (Date.now() - h.bootedAt) / 2000);
  for (const d of domains)
    out +=
      d.state === "shutoff"
        ? row(d.name, "", d.memoryMiB, d.vcpus, "------", 0)
        : row(d.name, String(d.domid), d.memoryMiB, d.vcpus, xmLetters(d), world.cpuSeconds(d));
  io.out(out);
  return 0;
}

const SIGNATURE = Buffer.from("LinuxGuestRecord", "latin1");

function saveHead(d: SimDomain, h: SimHost): Buffer {
  const sxp = Buffer.from(domainSxp(d, h), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(sxp.length, 0);
  return Buffer.concat([SIGNATURE, len, sxp]);
}

const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const DISK_BPS = 300 * 1024 * 1024;

async function xmSave(world: World, h: SimHost, args: string[], io: CommandIO): Promise<number> {
  const pos = args.filter((a) => !a.startsWith("-"));
  const checkpoint = args.includes("-c") || args.includes("--checkpoint");
  if (pos.length !== 2) {
    io.err("Error: 'xm save' requires 2 arguments.\n\nUsage: xm save [-c|-f] <Domain> <CheckpointFile>\n");
    return 1;
  }
  const [domArg, file] = pos;
  const dom = h.domains.find((d) => d.name === domArg || String(d.domid) === domArg);
  if (!dom || dom.state === "shutoff") {
    io.err(`Error: Domain '${domArg}' does not exist.\n`);
    return 1;
  }
  const at = world.locatePath(h.name, file);
  if (!at || !h.dirs[dirname(file)]) {
    io.err(`Error: xm save: Unable to create file ${file}\n`);
    return 1;
  }
  const head = saveHead(dom, h);
  const existing = world.files.get(at.key);
  if (existing) world.chargeSpace(at.mount, -Math.ceil(existing.size / 1024));
  const f = { head, size: head.length, mode: 0o644, owner: "root", mtime: Date.now() };
  world.files.set(at.key, f);
  world.chargeSpace(at.mount, Math.ceil(head.length / 1024));
  const was = dom.state;
  dom.state = "suspended";
  world.emit("change", h.name);
  xendLog(h, "DEBUG", "XendCheckpoint:110", `[xc_save]: ${XC_SAVE} 4 ${dom.domid} 0 0 0`);
  const bytes = dom.memoryMiB * 1024 * 1024;
  const fault = world.takeFault("disk-full", dom.name);
  const free = (at.mount.totalKiB - at.mount.usedKiB) * 1024;
  const fits = !fault && free >= bytes;
  const writable = fits ? bytes : Math.max(0, Math.min(free, fault ? (bytes * fault.atPercent) / 100 : free));
  await pause(world, (writable * 1000) / DISK_BPS);
  f.size += Math.floor(writable);
  world.chargeSpace(at.mount, writable / 1024);
  const pages = Math.ceil(bytes / PAGE);
  if (!fits) {
    xendLog(h, "INFO", "XendCheckpoint:423", "ERROR Internal error: Error when writing to state file (5) (errno 28)");
    xendLog(h, "INFO", "XendCheckpoint:423", "Save exit rc=1");
    xendLog(h, "ERROR", "XendCheckpoint:133", `Save failed on domain ${dom.name} (${dom.domid}) - resuming.`);
    dom.state = was;
    world.emit("change", h.name);
    io.err(`Error: ${XC_SAVE} 4 ${dom.domid} 0 0 0 failed\n`);
    return 1;
  }
  xendLog(
    h,
    "INFO",
    "XendCheckpoint:423",
    `Saving memory pages: iter 1   0%\b\b\b\b 95%\r 1: sent ${pages}, skipped 0, delta ${Math.round((bytes * 1000) / DISK_BPS)}ms, dom0 50%, target 0%, sent ${Math.round((DISK_BPS * 8) / 1e6)}Mb/s, dirtied 0Mb/s 0 pages`,
  );
  xendLog(h, "INFO", "XendCheckpoint:423", `Total pages sent= ${pages} (1.00x)`);
  xendLog(h, "INFO", "XendCheckpoint:423", "All memory is saved");
  xendLog(h, "INFO", "XendCheckpoint:423", "Save exit rc=0");
  f.mtime = Date.now();
  if (checkpoint) dom.state = was;
  else h.domains.splice(h.domains.indexOf(dom), 1);
  world.emit("change", h.name);
  return 0;
}

async function xmRestore(world: World, h: SimHost, args: string[], io: CommandIO): Promise<number> {
  const pos = args.filter((a) => !a.startsWith("-"));
  const paused = args.includes("-p") || args.includes("--paused");
  const file = pos[0];
  if (!file) {
    io.err("Error: 'xm restore' requires 1 argument.\n\nUsage: xm restore <CheckpointFile> [-p]\n");
    return 1;
  }
  const f = world.file(h.name, file);
  if (!f) {
    io.err(`Error: xm restore: Unable to read file ${file}\n`);
    return 1;
  }
  if (!f.head.subarray(0, 16).equals(SIGNATURE)) {
    io.err(
      `Error: Restore failed: not a valid guest state file: found '${f.head.subarray(0, 16).toString("latin1")}'\n`,
    );
    return 1;
  }
  const sxp = f.head.subarray(20, 20 + f.head.readUInt32BE(16)).toString("utf8");
  const field = (k: string) => new RegExp(`\\(${k} ([^)\\s]+)\\)`).exec(sxp)?.[1] ?? "";
  const name = field("name");
  const memoryMiB = Number(field("memory"));
  if (f.size < f.head.length + memoryMiB * 1024 * 1024) {
    io.err("Error: Restore failed: Restore exited with rc=1\n");
    return 1;
  }
  const other = h.domains.find((d) => d.name === name && d.state !== "shutoff");
  if (other) {
    io.err(`Error: Restore failed: Domain '${name}' already exists with ID '${other.domid}'\n`);
    return 1;
  }
  if (world.freeMemoryMiB(h) < memoryMiB) {
    io.err("Error: Restore failed: Not enough memory is available, and dom0 cannot be shrunk any further\n");
    return 1;
  }
  // xend creates the domain (paused, under its name) before it reads the memory
  const dom = world.addDomain(h.name, {
    name,
    uuid: field("uuid"),
    memoryMiB,
    vcpus: Number(field("vcpus")) || 1,
    kernel: field("kernel"),
    disks: [...sxp.matchAll(/\(dev ([^:)]+):disk\) \(uname file:([^)\s]+)\)/g)].map((m) => ({
      target: m[2],
      vdev: m[1],
    })),
    state: "paused",
  });
  world.emit("change", h.name);
  await pause(world, (memoryMiB * 1024 * 1024 * 1000) / DISK_BPS);
  dom.state = paused ? "paused" : "blocked";
  dom.startedAt = Date.now();
  world.emit("change", h.name);
  return 0;
}

async function xmMigrate(world: World, src: SimHost, args: string[], io: CommandIO): Promise<number> {
  let live = false;
  let ssl = false;
  let port: number | null = null;
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-l" || a === "--live") live = true;
    else if (a === "-s" || a === "--ssl") ssl = true;
    else if (a === "-p" || a === "--port") port = Number(args[++i]);
    else if (a.startsWith("--port=") || a.startsWith("-p=")) port = Number(a.split("=")[1]);
    else if (a === "-n" || a === "--node") i++;
    else if (a === "-c" || a === "--change_home_server") continue;
    else if (a.startsWith("-")) {
      io.err(`Error: option ${a} not recognized\n\n${USAGE_MIGRATE}`);
      return 1;
    } else pos.push(a);
  }
  const fail = (message: string) => {
    io.err(`Error: ${message}\n${USAGE_MIGRATE}`);
    return 1;
  };
  if (pos.length !== 2) return fail("'xm migrate' requires 2 arguments.");
  const [domArg, hostArg] = pos;
  const dom = src.domains.find((d) => (d.name === domArg || String(d.domid) === domArg) && d.state !== "shutoff");
  if (domArg === "0" || domArg === "Domain-0") return fail("Cannot migrate privileged domain 0");
  if (!dom) return fail(`Domain '${domArg}' does not exist.`);
  const dst = world.resolve(hostArg);
  if (!dst) return fail("can't connect: Name or service not known");
  const reloc = dst.xend ? relocation(dst) : null;
  const wantPort = port ?? (ssl ? 8003 : 8002);
  const listening =
    reloc &&
    world.isUp(dst.name) &&
    ((ssl && reloc.ssl && reloc.sslPort === wantPort) || (!ssl && reloc.server && reloc.port === wantPort));
  if (!listening) return fail("can't connect: Connection refused");
  const name = dom.name;
  xendLog(src, "DEBUG", "XendCheckpoint:110", `[xc_save]: ${XC_SAVE} 24 ${dom.domid} 0 0 ${live ? 1 : 0}`);
  // the relocation server decides on the connection before reading anything
  if (!hostAllowed(reloc.allow, src.ip, src.hostname)) {
    xendLog(dst, "WARNING", "connection:124", `Rejected connection from ${src.ip} (${src.hostname}).`);
    await pause(world, 50);
    xendLog(src, "INFO", "XendCheckpoint:423", "Saving memory pages: iter 1   0%");
    xendLog(
      src,
      "INFO",
      "XendCheckpoint:423",
      "ERROR Internal error: Error when writing to state file (4a) (errno 104)",
    );
    xendLog(src, "INFO", "XendCheckpoint:423", "Save exit rc=1");
    xendLog(src, "ERROR", "XendCheckpoint:133", `Save failed on domain ${name} (${dom.domid}) - resuming.`);
    return fail(`${XC_SAVE} 24 ${dom.domid} 0 0 ${live ? 1 : 0} failed`);
  }
  xendLog(
    dst,
    "INFO",
    "XendCheckpoint:273",
    `restore:shadow=0x0, _static_max=0x${(dom.memoryMiB << 20).toString(16)}, _static_min=0x0, `,
  );
  // reservation: the target must hold the whole domain
  if (world.freeMemoryMiB(dst) < dom.memoryMiB || world.takeFault("target-oom", name)) {
    xendLog(dst, "ERROR", "XendCheckpoint:357", "/usr/lib/xen/bin/xc_restore 4 7 1 2 0 0 0 0 failed");
    xendLog(
      dst,
      "ERROR",
      "XendDomain:1194",
      "Restore failed: Not enough memory is available, and dom0 cannot be shrunk any further",
    );
    xendLog(src, "INFO", "XendCheckpoint:423", "Saving memory pages: iter 1   0%");
    xendLog(src, "INFO", "XendCheckpoint:423", "ERROR Internal error: Error when writing to state file (4) (errno 32)");
    xendLog(src, "INFO", "XendCheckpoint:423", "Save exit rc=1");
    return fail(`${XC_SAVE} 24 ${dom.domid} 0 0 ${live ? 1 : 0} failed`);
  }
  // the incoming copy: created paused under the same name while the memory arrives
  const incoming = world.addDomain(dst.name, { ...dom, state: "paused", uuid: dom.uuid, domid: dst.nextDomid });
  dst.nextDomid = Math.max(dst.nextDomid, incoming.domid + 1);
  world.emit("change", dst.name);
  const cutDuring = world.takeFault("link-cut", name)?.during;
  // a cut while the target prepares is modelled for libvirt only (sim/commands/virsh-jobs.ts): refused, not ignored
  if (cutDuring === "reservation")
    throw new Error("the simulated Xen toolstacks do not model a link cut in the reservation");
  const link = world.linkKey(src.name, dst.name);
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 0) + 1);
  const p2m = Math.ceil((dom.memoryMiB * 1024 * 1024) / PAGE);
  const wws = Math.ceil((dom.workload.wwsMiB * 1024 * 1024) / PAGE);
  let pages = p2m;
  let total = 0;
  let suspended = false;
  const bps = () => world.bandwidth(src.name, dst.name) / Math.max(1, world.activeTransfers.get(link) ?? 1);
  try {
    for (let iter = 1; ; iter++) {
      const last = suspended;
      const seconds = await send(
        world,
        src,
        dst,
        link,
        pages * PAGE,
        io,
        cutDuring === (last ? "stop-and-copy" : "precopy") && (last || iter === 1) ? 0.4 : null,
      );
      const dirtied = last ? 0 : Math.min(wws, Math.ceil((dom.workload.dirtyMiBps * 1024 * 1024 * seconds) / PAGE));
      // pages dirtied again while the round ran are skipped (sent in a later round)
      const skipped = last ? 0 : Math.min(pages, Math.floor(dirtied / 3));
      const sent = pages - skipped;
      total += sent;
      const head = `Saving memory pages: iter ${iter}   0%\b\b\b\b 50%\b\b\b\b 95%\r ${iter}: sent ${sent}, skipped ${skipped}, `;
      if (last) {
        xendLog(
          src,
          "INFO",
          "XendCheckpoint:423",
          `${head}delta ${Math.round(seconds * 1000)}ms, dom0 80%, target 0%, sent ${Math.round((bps() * 8) / 1e6)}Mb/s, dirtied 0Mb/s 0 pages`,
        );
        break;
      }
      const stop = iter >= MAX_ITERS || sent + skipped < 50 || total > p2m * MAX_FACTOR || !live;
      if (stop) {
        xendLog(src, "INFO", "XendCheckpoint:423", `${head}Start last iteration`);
        xendLog(src, "DEBUG", "XendCheckpoint:394", "suspend");
        xendLog(src, "DEBUG", "XendCheckpoint:119", "In saveInputHandler suspend");
        xendLog(src, "DEBUG", "XendCheckpoint:121", `Suspending ${dom.domid} ...`);
        dom.state = "suspended";
        suspended = true;
        world.emit("change", src.name);
        pages = Math.max(dirtied, skipped) + 64; // the rest, and the page tables and CPU state
      } else {
        xendLog(
          src,
          "INFO",
          "XendCheckpoint:423",
          `${head}delta ${Math.round(seconds * 1000)}ms, dom0 60%, target 40%, sent ${Math.round((bps() * 8) / 1e6)}Mb/s, dirtied ${Math.round((dom.workload.dirtyMiBps * 1048576 * 8) / 1e6)}Mb/s ${dirtied} pages`,
        );
        pages = dirtied + skipped;
      }
    }
  } catch {
    world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);
    dst.domains.splice(dst.domains.indexOf(incoming), 1);
    if (io.interrupt?.aborted && !suspended) {
      xendLog(src, "INFO", "XendCheckpoint:423", "Save exit rc=1");
      dom.state = "blocked";
      world.emit("change", src.name);
      return fail("xc_save interrupted");
    }
    xendLog(src, "INFO", "XendCheckpoint:423", "ERROR Internal error: Error when writing to state file (5) (errno 32)");
    xendLog(src, "INFO", "XendCheckpoint:423", "Save exit rc=1");
    xendLog(src, "ERROR", "XendCheckpoint:133", `Save failed on domain ${name} (${dom.domid}) - resuming.`);
    dom.state = "blocked";
    world.emit("change", src.name);
    world.emit("change", dst.name);
    return fail(`${XC_SAVE} 24 ${dom.domid} 0 0 ${live ? 1 : 0} failed`);
  }
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);
  xendLog(src, "INFO", "XendCheckpoint:423", `Total pages sent= ${total} (${(total / p2m).toFixed(2)}x)`);
  xendLog(src, "INFO", "XendCheckpoint:423", "(of which 0 were fixups)");
  xendLog(src, "INFO", "XendCheckpoint:423", "All memory is saved");
  xendLog(src, "INFO", "XendCheckpoint:423", "Save exit rc=0");
  // the target's xc_restore reads the last pages and xend restores the devices before unpausing: xend's handover
  // takes a few hundred milliseconds on real hosts (longer than xl's)
  await pause(world, 200);
  // the target unpauses its copy, the source destroys its own
  incoming.state = "blocked";
  incoming.cpuSecondsBase = world.cpuSeconds(dom);
  incoming.startedAt = dom.startedAt;
  src.domains.splice(src.domains.indexOf(dom), 1);
  world.emit("change", dst.name);
  world.emit("change", src.name);
  return 0;
}
