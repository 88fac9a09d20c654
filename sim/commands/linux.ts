import { createHash } from "node:crypto";
import type { CommandFn } from "../sh/run";
import type { SimHost, World } from "../world";
import { dfCommand } from "./df";
import { ipCommand } from "./ip";
import { statCommand } from "./stat";
import { remoteCommands } from "./remote";
import { streamBytes, zeros } from "./streams";
import { tarCommand } from "./tar";
import { sha256OfFile } from "./xl-saverestore";
import { relocationPorts } from "./xm";
import { withOptions } from "./options";

// What a Debian dom0 answers for the plain Linux commands Ferry runs (lib/toolstacks/linux/host-commands.ts): uname,
// cat of /proc and /sys files, stat, sha256sum, find, head, ps…; `ip` (ip.ts), `df -P` (df.ts), `tar` (tar.ts) and
// ssh/scp to another host (remote.ts) have files of their own. Output shapes follow procps/iproute2/coreutils.

/** A host's /etc/machine-id: 32 hex digits, stable per host name (systemd writes a random one at install). */
export const machineIdOf = (host: Pick<SimHost, "name">) =>
  createHash("md5").update(`machine-id:${host.name}`).digest("hex");

export function readVirtualFile(_world: World, host: SimHost, path: string): string | null {
  if (path === "/proc/cpuinfo") return cpuinfo(host);
  if (path === "/etc/hostname") return `${host.hostname}\n`;
  if (path === "/etc/machine-id") return `${machineIdOf(host)}\n`;
  if (path === "/proc/uptime") {
    const up = (Date.now() - host.bootedAt) / 1000;
    return `${up.toFixed(2)} ${(up * host.nrCpus * 0.9).toFixed(2)}\n`;
  }
  // xend's files (xm hosts)
  if (host.xend && path === "/etc/xen/xend-config.sxp") return host.xend.config;
  if (host.xend && path === "/var/log/xen/xend.log") return host.xend.log;
  const m = /^\/sys\/class\/net\/([^/]+)\/statistics\/(tx|rx)_bytes$/.exec(path);
  if (m && (m[1] === host.nic || m[1] === "lo")) {
    if (m[1] === "lo") return "0\n";
    return `${m[2] === "tx" ? host.txBytes : host.rxBytes}\n`;
  }
  return null;
}

function cpuinfo(host: SimHost): string {
  const flags = [
    "fpu",
    "vme",
    "de",
    "pse",
    "tsc",
    "msr",
    "pae",
    "mce",
    "cx8",
    "apic",
    "sep",
    "mtrr",
    "pge",
    "mca",
    "cmov",
    "pat",
    "pse36",
    "clflush",
    "mmx",
    "fxsr",
    "sse",
    "sse2",
    "ht",
    "syscall",
    "nx",
    "lm",
    "constant_tsc",
    "pni",
    "ssse3",
    "cx16",
    "sse4_1",
    "sse4_2",
    "x2apic",
    "popcnt",
    "aes",
    "xsave",
    "avx",
    "hypervisor",
  ];
  if (host.virtFlag) flags.splice(28, 0, host.virtFlag);
  let out = "";
  for (let i = 0; i < host.nrCpus; i++) {
    out +=
      `processor\t: ${i}\nvendor_id\t: ${host.virtFlag === "svm" ? "AuthenticAMD" : "GenuineIntel"}\n` +
      `model name\t: ${host.cpuModel}\ncpu MHz\t\t: ${host.cpuMhz.toFixed(3)}\nflags\t\t: ${flags.join(" ")}\n\n`;
  }
  return out;
}

export function linuxCommands(world: World, hostName: string): Record<string, CommandFn> {
  const host = () => world.host(hostName);
  return {
    true: () => 0,
    false: () => 1,
    // dash's echo: -n only; any other word, even one that starts with "-", is printed
    echo: (argv, io) => {
      const noNewline = argv[1] === "-n";
      io.out(argv.slice(noNewline ? 2 : 1).join(" ") + (noNewline ? "" : "\n"));
      return 0;
    },
    // printf FORMAT [ARG…]: %s %d %% and the \n \t \\ escapes; the format repeats while arguments remain
    printf: (argv, io) => {
      if (argv.length < 2) {
        io.err("printf: usage: printf [-v var] format [arguments]\n");
        return 2;
      }
      const format = argv[1].replace(/\\([nt\\])/g, (_, c: string) => ({ n: "\n", t: "\t", "\\": "\\" })[c]!);
      const args = argv.slice(2);
      let i = 0;
      for (;;) {
        const before = i;
        io.out(
          format.replace(/%([sd%])/g, (_, c: string) =>
            c === "%" ? "%" : c === "d" ? String(Number(args[i++] ?? 0) | 0) : (args[i++] ?? ""),
          ),
        );
        if (i >= args.length || i === before) break;
      }
      return 0;
    },
    sleep: (argv, io) =>
      new Promise<number>((resolve) => {
        const seconds = Number(argv[1]);
        if (!Number.isFinite(seconds) || seconds < 0) {
          io.err(`sleep: invalid time interval '${argv[1] ?? ""}'\n`);
          return resolve(1);
        }
        const t = setTimeout(() => resolve(0), seconds * 1000);
        io.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(t);
            resolve(130);
          },
          { once: true },
        );
      }),
    hostname: (_argv, io) => {
      io.out(`${host().hostname}\n`);
      return 0;
    },
    uname: (argv, io) => {
      const h = host();
      const fields: Record<string, string> = { s: "Linux", n: h.hostname, r: h.kernelRelease, m: h.arch };
      const want = argv.length > 1 ? argv.slice(1).join("").replace(/-/g, "") : "s";
      if (want.includes("a")) {
        io.out(
          `Linux ${h.hostname} ${h.kernelRelease} #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) ${h.arch} GNU/Linux\n`,
        );
        return 0;
      }
      for (const ch of want)
        if (!fields[ch]) {
          io.err(`uname: invalid option -- '${ch}'\nTry 'uname --help' for more information.\n`);
          return 1;
        }
      io.out(
        `${[..."snrm"]
          .filter((k) => want.includes(k))
          .map((k) => fields[k])
          .join(" ")}\n`,
      );
      return 0;
    },
    cat: withOptions("cat", {}, (argv, io) => {
      let status = 0;
      if (argv.length === 1) {
        io.out(io.stdin);
        return 0;
      }
      for (const path of argv.slice(1)) {
        const data = readVirtualFile(world, host(), path);
        if (data === null) {
          io.err(`cat: ${path}: No such file or directory\n`);
          status = 1;
        } else io.out(data);
      }
      return status;
    }),
    stat: withOptions("stat", { valued: ["-c", "--format"] }, (argv, io) =>
      statCommand(world, host(), argv.slice(1), io.out, io.err),
    ),
    // wc -c [FILE]: bytes on stdin (the far end of a timed transfer), or of a file ("<bytes> <file>")
    wc: withOptions("wc", { flags: ["-c"] }, (argv, io) => {
      if (!argv.includes("-c")) {
        io.err("wc: only -c is simulated here\n");
        return 1;
      }
      const file = argv.slice(1).filter((a) => a !== "-c")[0];
      if (file === undefined) {
        io.out(`${streamBytes(io.stdin)}\n`);
        return 0;
      }
      const data = readVirtualFile(world, host(), file);
      if (data === null) {
        io.err(`wc: ${file}: No such file or directory\n`);
        return 1;
      }
      io.out(`${Buffer.byteLength(data)} ${file}\n`);
      return 0;
    }),
    // tail -c +N FILE (from byte N, 1-based) and tail -n N FILE
    tail: withOptions("tail", { valued: ["-c", "-n"] }, (argv, io) => {
      const file = argv.at(-1) ?? "";
      const data = readVirtualFile(world, host(), file);
      if (data === null) {
        io.err(`tail: cannot open '${file}' for reading: No such file or directory\n`);
        return 1;
      }
      const c = argv.indexOf("-c");
      const n = argv.indexOf("-n");
      if (c > 0 && /^\+\d+$/.test(argv[c + 1] ?? "")) {
        io.out(
          Buffer.from(data)
            .subarray(Number(argv[c + 1].slice(1)) - 1)
            .toString(),
        );
        return 0;
      }
      if (n > 0 && /^\d+$/.test(argv[n + 1] ?? "")) {
        const lines = data.split("\n");
        if (lines.at(-1) === "") lines.pop();
        const k = Number(argv[n + 1]);
        io.out(
          lines
            .slice(k === 0 ? lines.length : -k)
            .map((l) => `${l}\n`)
            .join(""),
        );
        return 0;
      }
      io.err("tail: this simulated host only supports tail -c +N FILE and tail -n N FILE\n");
      return 1;
    }),
    // nc -z -w SECS HOST PORT (netcat-traditional's zero-I/O mode): does the port accept a connection?
    nc: withOptions("nc", { flags: ["-z"], valued: ["-w"] }, (argv, io) => {
      if (!argv.includes("-z")) {
        io.err("nc: only the zero-I/O mode (nc -z -w SECS HOST PORT) is simulated here\n");
        return 1;
      }
      const [addr, port] = argv.slice(-2);
      const target = world.resolve(addr ?? "");
      if (!target) {
        io.err(`${addr}: forward host lookup failed: Unknown host\n`);
        return 1;
      }
      const open = world.isUp(target.name) && (Number(port) === 22 || relocationPorts(target).includes(Number(port)));
      if (open) return 0;
      io.err(`(UNKNOWN) [${target.ip}] ${port} (?) : Connection refused\n`);
      return 1;
    }),
    sha256sum: withOptions("sha256sum", {}, (argv, io) => {
      let status = 0;
      for (const p of argv.slice(1).filter((a) => !a.startsWith("-"))) {
        const f = world.file(hostName, p);
        if (!f) {
          io.err(`sha256sum: ${p}: No such file or directory\n`);
          status = 1;
          continue;
        }
        io.out(`${sha256OfFile(f)}  ${p}\n`);
      }
      return status;
    }),
    chmod: withOptions("chmod", {}, (argv, io) => {
      const [mode, ...paths] = argv.slice(1);
      if (!/^[0-7]{3,4}$/.test(mode ?? "")) {
        io.err(`chmod: invalid mode: '${mode ?? ""}'\n`);
        return 1;
      }
      for (const p of paths) {
        const f = world.file(hostName, p);
        const d = host().dirs[p];
        if (f) f.mode = parseInt(mode, 8);
        else if (d) d.mode = parseInt(mode, 8);
        else {
          io.err(`chmod: cannot access '${p}': No such file or directory\n`);
          return 1;
        }
      }
      return 0;
    }),
    rm: withOptions("rm", { flags: ["-f"] }, (argv, io) => {
      const force = argv.slice(1).some((a) => /^-[a-z]*f/.test(a));
      for (const p of argv.slice(1).filter((a) => !a.startsWith("-"))) {
        const at = world.locatePath(hostName, p);
        const f = at ? world.files.get(at.key) : undefined;
        if (!at || !f) {
          if (!force) {
            io.err(`rm: cannot remove '${p}': No such file or directory\n`);
            return 1;
          }
          continue;
        }
        world.files.delete(at.key);
        world.chargeSpace(at.mount, -Math.ceil(f.size / 1024));
      }
      return 0;
    }),
    // find DIR -maxdepth 1 -type f [-printf FORMAT | -print] (the catalog's discovery); GNU find without -printf
    // prints each path. Formats: %s %T@ %m %p %f %% and the \n \t \\ escapes; anything else is refused.
    find: (argv, io) => {
      const dir = argv[1];
      const expr = argv.slice(2);
      let fmt = "%p\\n";
      const want = ["-maxdepth", "1", "-type", "f"];
      const rest = expr.slice(want.length);
      const refuse = (why: string) => {
        io.err(`find: ${why} (the simulated find runs: find DIR -maxdepth 1 -type f [-printf FORMAT | -print])\n`);
        return 1;
      };
      if (!dir || dir.startsWith("-") || want.some((w, k) => expr[k] !== w)) return refuse("not simulated");
      if (rest.length === 2 && rest[0] === "-printf") fmt = rest[1];
      else if (!(rest.length === 0 || (rest.length === 1 && rest[0] === "-print"))) return refuse("not simulated");
      const bad = [...fmt.matchAll(/%(T@|.?)|\\(.?)/g)].find((m) =>
        m[1] !== undefined ? !/^(T@|[smpf%])$/.test(m[1]) : !/^[nt\\]$/.test(m[2]),
      );
      if (bad) return refuse(`the format '${bad[0]}' is not simulated`);
      if (!host().dirs[dir]) {
        io.err(`find: '${dir}': No such file or directory\n`);
        return 1;
      }
      for (const [key, f] of world.files) {
        const path = pathOfKey(world, hostName, key, dir);
        if (!path) continue;
        const fields: Record<string, string> = {
          s: String(f.size),
          "T@": (f.mtime / 1000).toFixed(10),
          m: f.mode.toString(8),
          p: path,
          f: path.slice(path.lastIndexOf("/") + 1),
          "%": "%",
        };
        io.out(
          fmt.replace(/%(T@|[smpf%])|\\([nt\\])/g, (_, d?: string, e?: string) =>
            d ? fields[d] : ({ n: "\n", t: "\t", "\\": "\\" } as Record<string, string>)[e!],
          ),
        );
      }
      return 0;
    },
    head: withOptions("head", { valued: ["-c"] }, (argv, io) => {
      const i = argv.indexOf("-c");
      const n = i >= 0 ? Number(argv[i + 1]) : 1024;
      const p = argv
        .slice(1)
        .filter((a, k) => !a.startsWith("-") && k !== i)
        .at(-1);
      if (p === "/dev/zero") {
        io.out(zeros(n));
        return 0;
      }
      const f = p ? world.file(hostName, p) : undefined;
      if (!p || !f) {
        io.err(`head: cannot open '${p ?? ""}' for reading: No such file or directory\n`);
        return 1;
      }
      io.out(
        f.head.subarray(0, Math.min(n, f.head.length)).toString("latin1") +
          "\0".repeat(Math.max(0, Math.min(n, f.size) - f.head.length)),
      );
      return 0;
    }),
    // ps -eo pid=,args= (procps-ng): every process of this host, pid right-aligned, its command line
    ps: withOptions("ps", { valued: ["-eo"] }, (argv, io) => {
      const o = argv.indexOf("-eo") >= 0 ? argv[argv.indexOf("-eo") + 1] : undefined;
      if (o !== "pid=,args=") {
        io.err("ps: only ps -eo pid=,args= is simulated here\n");
        return 1;
      }
      for (const p of world.processesOf(hostName)) io.out(`${String(p.pid).padStart(7)} ${p.argv.join(" ")}\n`);
      return 0;
    }),
    // base64 [-w COLS] of stdin: coreutils wraps at 76 columns unless told otherwise (-w 0: never)
    base64: withOptions("base64", { valued: ["-w"] }, (argv, io) => {
      const w = argv.indexOf("-w") >= 0 ? argv[argv.indexOf("-w") + 1] : "76";
      if (!/^\d+$/.test(w)) {
        io.err(`base64: invalid wrap size: '${w}'\n`);
        return 1;
      }
      const text = Buffer.from(io.stdin, "latin1").toString("base64");
      const cols = Number(w);
      io.out(`${cols ? (text.match(new RegExp(`.{1,${cols}}`, "g")) ?? []).join("\n") : text}\n`);
      return 0;
    }),
    ...remoteCommands(world, hostName),
    tar: tarCommand(world, hostName),
    ip: (argv, io) => ipCommand(world, host(), argv.slice(1), io.out, io.err),
    df: dfCommand(world, hostName),
  };
}

/** The path under `dir` on `hostName` of a file key, when the file lies directly in that directory. */
function pathOfKey(world: World, hostName: string, key: string, dir: string): string | null {
  const at = world.locatePath(hostName, `${dir}/x`);
  if (!at) return null;
  const prefix = at.key.slice(0, -1); // storage key + "\0" + dir-relative path + "/"
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(prefix.length);
  return name && !name.includes("/") ? `${dir}/${name}` : null;
}
