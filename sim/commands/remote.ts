import type { CommandFn } from "../sh/run";
import type { World } from "../world";
import { carry, streamBytes } from "./streams";
import { extractionSoFar } from "./tar";

// ssh and scp run on a simulated host toward another: the far host is resolved by name or address, refuses when it
// is down (OpenSSH's own messages), and what crosses goes at the link's bandwidth — a copy grows on the target as it
// arrives, as a real one does.

export function remoteCommands(world: World, hostName: string): Record<string, CommandFn> {
  return {
    // ssh from this host to another (pre-flight: "is the target reachable from the source?")
    ssh: async (argv, io) => {
      let i = 1;
      while (i < argv.length && argv[i].startsWith("-")) i += /^-[oipplFEJlc]$/.test(argv[i]) ? 2 : 1;
      const dest = argv[i];
      if (!dest) {
        io.err("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] destination [command [argument ...]]\n");
        return 255;
      }
      const hostPart = dest.includes("@") ? dest.slice(dest.indexOf("@") + 1) : dest;
      const target = world.resolve(hostPart);
      if (!target) {
        io.err(`ssh: Could not resolve hostname ${hostPart}: Name or service not known\n`);
        return 255;
      }
      if (!world.isUp(target.name)) {
        io.err(`ssh: connect to host ${target.ip} port 22: Connection refused\n`);
        return 255;
      }
      const command = argv.slice(i + 1).join(" ");
      // what goes through the session's stdin crosses the link at its bandwidth (a timed transfer measures it)
      // (an archive for tar on the far side is written there as it arrives)
      const bytes = streamBytes(io.stdin);
      if (bytes > 0)
        await carry(
          world,
          hostName,
          target.name,
          bytes,
          extractionSoFar(world, target.name, command, io.stdin) ?? undefined,
        );
      if (!command || !world.remoteShell) return 0;
      return world.remoteShell(target.name, command, io);
    },
    // scp FILE HOST:PATH, from this host to another, at the link's bandwidth
    scp: async (argv, io) => {
      const args = argv.slice(1).filter((a, k, all) => !a.startsWith("-") && all[k - 1] !== "-o");
      const [src, dest] = args;
      const m = /^(?:[^@]+@)?([^:]+):(.+)$/.exec(dest ?? "");
      const f = src ? world.file(hostName, src) : undefined;
      if (!f) {
        io.err(`scp: ${src}: No such file or directory\n`);
        return 1;
      }
      if (!m) {
        io.err("usage: scp [-346ABCOpqRrsTv] source ... target\n");
        return 1;
      }
      const target = world.resolve(m[1]);
      if (!target) {
        io.err(`ssh: Could not resolve hostname ${m[1]}: Name or service not known\nscp: Connection closed\n`);
        return 255;
      }
      if (!world.isUp(target.name)) {
        io.err(`ssh: connect to host ${target.ip} port 22: Connection refused\nscp: Connection closed\n`);
        return 255;
      }
      const at = world.locatePath(target.name, m[2]);
      if (!at || !target.dirs[m[2].slice(0, m[2].lastIndexOf("/")) || "/"]) {
        io.err(`scp: dest open "${m[2]}": No such file or directory\nscp: failed to upload file ${src} to ${m[2]}\n`);
        return 1;
      }
      // the copy grows on the target as it arrives
      let charged = 0;
      const write = (size: number) => {
        world.files.set(at.key, {
          ...f,
          head: Buffer.from(f.head).subarray(0, size),
          size,
          mode: 0o600,
          mtime: Date.now(),
        });
        world.chargeSpace(at.mount, Math.ceil(size / 1024) - Math.ceil(charged / 1024));
        charged = size;
      };
      await carry(world, hostName, target.name, f.size, write);
      write(f.size);
      return 0;
    },
  };
}
