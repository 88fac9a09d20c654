import type { CommandFn } from "../sh/run";
import type { SimHost, World } from "../world";
import { withOptions } from "./options";

// `df -P [PATH…]` as coreutils prints it: the mounts of a simulated host, or the one holding each path.

export function dfCommand(world: World, hostName: string): CommandFn {
  const host = () => world.host(hostName);
  return withOptions("df", { flags: ["-P"] }, (argv, io) => {
    const h = host();
    const paths = argv.slice(1).filter((a) => !a.startsWith("-"));
    let out = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n";
    let status = 0;
    for (const p of paths.length ? paths : h.mounts.map((m) => m.path)) {
      const mount = mountFor(h, p);
      if (!mount) {
        io.err(`df: ${p}: No such file or directory\n`);
        status = 1;
        continue;
      }
      const avail = mount.totalKiB - mount.usedKiB;
      const pct = Math.ceil((mount.usedKiB * 100) / mount.totalKiB);
      out += `${mount.device.padEnd(14)} ${String(mount.totalKiB).padStart(11)} ${String(mount.usedKiB).padStart(8)} ${String(avail).padStart(9)} ${`${pct}%`.padStart(8)} ${mount.path}\n`;
    }
    if (status === 0 || out.split("\n").length > 2) io.out(out);
    return status;
  });
}

/** The mount holding `path`; a path must lie under a known mount point and not climb out of it. */
function mountFor(h: SimHost, path: string) {
  if (!path.startsWith("/") || path.split("/").includes("..")) return null;
  const candidates = h.mounts.filter((m) => path === m.path || path.startsWith(m.path === "/" ? "/" : `${m.path}/`));
  // Only mount points and the root's well-known directories exist in the simulated filesystem.
  const known =
    candidates.find((m) => m.path === path) ??
    (["/", "/root", "/tmp", "/var", "/etc"].includes(path) ? h.mounts[0] : null);
  return known ?? candidates.sort((a, b) => b.path.length - a.path.length).find((m) => m.path !== "/") ?? null;
}
