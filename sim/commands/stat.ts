import type { SimHost, World } from "../world";

// coreutils' `stat -c FORMAT PATH…` on a simulated host: a file's mode, owner, size (a sparse file's apparent size),
// blocks and mtime, or a directory's; the directives Ferry uses (%a %U %G %n %F %s %b %B %Y %%).

export function statCommand(
  world: World,
  h: SimHost,
  args: string[],
  out: (t: string) => void,
  err: (t: string) => void,
): number {
  const fi = args.findIndex((a) => a === "-c" || a === "--format");
  const format = fi >= 0 ? args[fi + 1] : undefined;
  const paths = args.filter((_, i) => fi < 0 || (i !== fi && i !== fi + 1));
  if (format === undefined) {
    err("stat: this simulated host only supports stat -c FORMAT\n");
    return 1;
  }
  if (paths.length === 0) {
    err("stat: missing operand\nTry 'stat --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const p of paths) {
    const d = h.dirs[p.length > 1 ? p.replace(/\/+$/, "") : p];
    const f = d ? undefined : world.file(h.name, p);
    if (!d && !f) {
      err(`stat: cannot statx '${p}': No such file or directory\n`);
      status = 1;
      continue;
    }
    const v = d
      ? { mode: d.mode, owner: d.owner, group: d.group, type: "directory", size: 4096, mtime: h.bootedAt }
      : {
          mode: f!.mode,
          owner: f!.owner,
          group: "root",
          type: "regular file",
          size: f!.apparent ?? f!.size,
          mtime: f!.mtime,
          blocks: Math.ceil(f!.size / 512),
        };
    out(
      `${format.replace(
        /%([aUGnFsYbB%])/g,
        (_, c: string) =>
          ({
            a: v.mode.toString(8),
            U: v.owner,
            G: v.group,
            n: p,
            F: v.type,
            s: String(v.size),
            Y: String(Math.floor(v.mtime / 1000)),
            b: String("blocks" in v ? v.blocks : 8),
            B: "512",
            "%": "%",
          })[c]!,
      )}\n`,
    );
  }
  return status;
}
