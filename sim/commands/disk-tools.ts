import path from "node:path";
import type { CommandFn } from "../sh/run";
import type { World } from "../world";

// `test -e` / `test ! -e` (coreutils; only the file tests Ferry asks) and, on KVM hosts, `qemu-img info` and
// `qemu-img create` as QEMU 7.2's tool prints them (lib/toolstacks/linux/fixtures/qemu-img-info-qcow2-lab.json and
// its SOURCES). Anything else is refused rather than answered wrongly.

/** The bytes a fresh, empty image takes on the host: a qcow2 header and tables (the lab's 64 MiB disk: 196,616). */
const emptySize = (format: string) => (format === "qcow2" ? 196_616 : 0);

export function testCommand(world: World, hostName: string): CommandFn {
  return (argv, io) => {
    const args = argv.slice(1);
    const negate = args[0] === "!";
    const rest = negate ? args.slice(1) : args;
    if (rest.length !== 2 || rest[0] !== "-e") {
      io.err(`test: only [!] -e FILE is simulated (got: ${args.join(" ")})\n`);
      return 2;
    }
    const p = rest[1];
    const there = world.file(hostName, p) !== undefined || world.host(hostName).dirs[p] !== undefined;
    return there !== negate ? 0 : 1;
  };
}

export function qemuImgCommand(world: World, hostName: string): CommandFn {
  return (argv, io) => {
    const [sub, ...args] = argv.slice(1);
    if (sub === "info") {
      const file = args.filter((a) => !a.startsWith("-")).at(-1);
      if (!args.includes("--output=json") || !file) {
        io.err("qemu-img: only `info [-U] --output=json FILE` is simulated\n");
        return 1;
      }
      const f = world.file(hostName, file);
      if (!f) {
        io.err(`qemu-img: Could not open '${file}': Could not open '${file}': No such file or directory\n`);
        return 1;
      }
      const format = f.disk?.format ?? "raw";
      const backing = f.disk?.backing;
      const info: Record<string, unknown> = {
        ...(backing ? { "backing-filename-format": backing.format } : {}),
        "virtual-size": f.disk?.virtualBytes ?? f.size,
        filename: file,
        ...(format === "qcow2" ? { "cluster-size": 65536 } : {}),
        format,
        "actual-size": f.size,
        ...(backing ? { "full-backing-filename": backing.path, "backing-filename": backing.path } : {}),
        "dirty-flag": false,
      };
      io.out(`${JSON.stringify(info, null, 4)}\n`);
      return 0;
    }
    if (sub === "create") {
      const words: string[] = [];
      let format = "raw";
      let backingPath: string | null = null;
      let backingFormat: string | null = null;
      for (let i = 0; i < args.length; i++) {
        if (args[i] === "-q") continue;
        if (args[i] === "-f") format = args[++i] ?? "";
        else if (args[i] === "-b") backingPath = args[++i] ?? "";
        else if (args[i] === "-F") backingFormat = args[++i] ?? "";
        else words.push(args[i]);
      }
      const [file, size] = words;
      if (
        !file ||
        !/^\d+$/.test(size ?? "") ||
        !["raw", "qcow2"].includes(format) ||
        (backingPath !== null && (format !== "qcow2" || !backingFormat))
      ) {
        io.err("qemu-img: only `create [-q] -f raw|qcow2 [-b BACKING -F FORMAT] FILE BYTES` is simulated\n");
        return 1;
      }
      // QEMU 7.2 opens the backing file (this machine's qemu-img, 2026-12-05)
      if (backingPath !== null && !world.file(hostName, backingPath)) {
        io.err(
          `qemu-img: ${file}: Could not open '${backingPath}': No such file or directory\nCould not open backing image.\n`,
        );
        return 1;
      }
      const at = world.locatePath(hostName, file);
      const dir = path.posix.dirname(file);
      const h = world.host(hostName);
      if (!at || !(h.dirs[dir] || h.mounts.some((m) => m.path === dir))) {
        io.err(`qemu-img: ${file}: Could not create '${file}': No such file or directory\n`);
        return 1;
      }
      const bytes = emptySize(format);
      world.files.set(at.key, {
        head: Buffer.alloc(0),
        size: bytes,
        mode: 0o644,
        owner: "root",
        mtime: Date.now(),
        disk: {
          format,
          virtualBytes: Number(size),
          ...(backingPath !== null ? { backing: { path: backingPath, format: backingFormat! } } : {}),
        },
      });
      world.chargeSpace(at.mount, Math.ceil(bytes / 1024));
      return 0;
    }
    io.err(`qemu-img: only info and create are simulated (got: ${sub ?? "nothing"})\n`);
    return 1;
  };
}
