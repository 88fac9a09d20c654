import path from "node:path";
import { buildCommand } from "../../ssh/quote";
import type { CommandRunner } from "../types";
import { statDirArgv } from "./dir-stat";

// The plain Linux commands Ferry runs on any host, whatever its toolstack: files (stat, sha256sum, chmod,
// rm, find, head), space (df), copies host to host (scp, tar through ssh) and reachability (ssh). One place for all drivers,
// the catalog, the checks and the jobs; every argument is quoted by lib/ssh when it runs.

const SSH_OPTS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5"];

export const hostArgv = {
  sha256: (file: string) => ["sha256sum", file],
  chmodPrivate: (file: string) => ["chmod", "600", file],
  remove: (file: string) => ["rm", "-f", file],
  /** a signal to one process (INT: the Ctrl-C a command's own channel could no longer carry) */
  signal: (pid: number, name: "INT" | "KILL") => ["kill", `-${name}`, String(pid)],
  statFile: (file: string) => ["stat", "-c", "%a %U %s %Y %n", file],
  /** a file's size, then the blocks it takes and their size (a sparse file takes fewer than its size) */
  statSizes: (file: string) => ["stat", "-c", "%s %b %B", file],
  statDir: statDirArgv,
  df: (path?: string) => (path ? ["df", "-P", path] : ["df", "-P"]),
  headBase64: (file: string) => ["sh", "-c", 'head -c 65536 -- "$1" | base64 -w 0', "ferry-head", file],
  listDir: (dir: string) => ["find", dir, "-maxdepth", "1", "-type", "f", "-printf", "%s %T@ %m %p\\n"],
  /** scp run on the source: the file to `address:dest` with the source's own key */
  scpTo: (file: string, address: string, dest: string) => [
    "scp",
    "-q",
    "-o",
    "BatchMode=yes",
    file,
    `${address}:${dest}`,
  ],
  /**
   * Run on the source: the file to the same path on another host with its holes kept — GNU tar's --sparse (-S) on
   * both ends, through ssh with the source's own key. scp would send a sparse disk's holes as zeros and write them
   * out whole there. The command run there is quoted here for the far shell; the whole argv once more by lib/ssh.
   */
  sparseCopyTo: (file: string, address: string) => {
    const dir = path.posix.dirname(file);
    return [
      "sh",
      "-c",
      'tar -C "$1" -cSf - -- "$2" | ssh -o BatchMode=yes -o ConnectTimeout=5 "$3" "$4"',
      "ferry-copy",
      dir,
      path.posix.basename(file),
      address,
      buildCommand(["tar", "-C", dir, "-xSf", "-"]),
    ];
  },
  /** ssh from this host to another (the prefix of a command run there) */
  sshTo: (address: string) => ["ssh", ...SSH_OPTS, address],
  cpuinfo: () => ["cat", "/proc/cpuinfo"],
  machineId: () => ["cat", "/etc/machine-id"],
  ipAddr: () => ["ip", "-o", "addr"],
  bridges: () => ["ip", "-o", "link", "show", "type", "bridge"],
  routeGet: (address: string) => ["ip", "route", "get", address],
  txBytes: (dev: string) => ["cat", `/sys/class/net/${dev}/statistics/tx_bytes`],
  rxBytes: (dev: string) => ["cat", `/sys/class/net/${dev}/statistics/rx_bytes`],
};

/** The network device the host sends to `address` through (`ip route get`), for its tx counter. */
export async function routeDevice(runner: CommandRunner, address: string): Promise<string | null> {
  const r = await runner.exec(hostArgv.routeGet(address), { timeoutMs: 5_000 }).catch(() => null);
  return r && r.code === 0 ? (/\bdev (\S+)/.exec(r.stdout)?.[1] ?? null) : null;
}

/** `stat -c '%s %b %B'` → the file's size and the bytes it takes on the host's disk. */
export function parseStatSizes(stdout: string): { sizeBytes: number; allocatedBytes: number } | null {
  const m = /^(\d+) (\d+) (\d+)\s*$/.exec(stdout);
  return m ? { sizeBytes: Number(m[1]), allocatedBytes: Number(m[2]) * Number(m[3]) } : null;
}

export function parseSha256(stdout: string): string | null {
  return /^([0-9a-f]{64})\s/.exec(stdout)?.[1] ?? null;
}

/** `find … -printf '%s %T@ %m %p\n'` → files. */
export function parseDirListing(stdout: string): { size: number; mtime: number; mode: string; path: string }[] {
  return stdout
    .split("\n")
    .map((l) => /^(\d+) (\d+)(?:\.\d+)? ([0-7]+) (\/.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), mtime: Number(m[2]) * 1000, mode: m[3], path: m[4] }));
}

/** `df -P` rows: device and mount point. */
export function parseDf(stdout: string): { device: string; mount: string; availableKiB: number }[] {
  return stdout
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 6)
    .map((f) => ({ device: f[0], mount: f.slice(5).join(" "), availableKiB: Number(f[3]) }));
}

export async function freeKiB(runner: CommandRunner, dir: string): Promise<number | null> {
  const r = await runner.exec(hostArgv.df(dir), { timeoutMs: 8_000 }).catch(() => null);
  const row = r?.code === 0 ? parseDf(r.stdout)[0] : undefined;
  return row ? row.availableKiB : null;
}

/** Global addresses from `ip -o addr` ("3: xenbr0    inet 192.168.1.68/24 brd … scope global xenbr0\ …"). */
export function parseIpAddr(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\binet6? ([0-9a-fA-F.:]+)\/\d+ .*?scope global/g)) out.push(m[1]);
  return out;
}

/** The networks a host's global IPv4 addresses are on, as CIDR ("192.168.1.68/24" → "192.168.1.0/24"). */
export function parseSubnets(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\binet (\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+) .*?scope global/g)) {
    const prefix = Number(m[5]);
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const net = (ip & mask) >>> 0;
    out.add(`${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join(".")}/${prefix}`);
  }
  return [...out];
}

/** `ip -o link show type bridge`: "4: xenbr0: <BROADCAST,…> mtu 1500 …" → the bridges' names. */
export function parseBridges(text: string): string[] {
  return [...text.matchAll(/^\d+: ([^:@\s]+)[:@]/gm)].map((m) => m[1]);
}

/** vmx / svm from /proc/cpuinfo's flags lines (Xen's dom0 may hide them; virt_caps then tells). */
export function parseCpuVirtFlags(cpuinfo: string): string[] {
  const found = new Set<string>();
  for (const line of cpuinfo.split("\n")) {
    if (!/^flags\s*:/.test(line)) continue;
    for (const flag of line
      .slice(line.indexOf(":") + 1)
      .trim()
      .split(/\s+/))
      if (flag === "vmx" || flag === "svm") found.add(flag);
  }
  return [...found].sort();
}

/** /etc/machine-id: 32 hex digits (systemd), or null. */
export function parseMachineId(text: string): string | null {
  return /^([0-9a-f]{32})\s*$/.exec(text.trim())?.[1] ?? null;
}
