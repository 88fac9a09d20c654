import path from "node:path";
import type { CommandFn } from "../sh/run";
import type { SimFile, World } from "../world";

// GNU tar as Ferry runs it to copy a disk with its holes (lib/toolstacks/linux/host-commands.ts, sparseCopyTo):
// `tar -C DIR -cSf - -- NAME` on the source writes the archive to stdout and `tar -C DIR -xSf -` on the target reads it
// from stdin. A simulated file is its first bytes and a size, so the archive here is a record of the file rather than
// its bytes; it stands for as many bytes as GNU tar's own archive (a header, the data the file takes, the end blocks,
// padded to tar's 10240-byte record), and the simulated ssh times the transfer by that (archiveBytes, read through streams.ts). tar's words
// for each failure are GNU tar 1.34's (lib/toolstacks/linux/fixtures/tar-sparse-copy-debian12.txt). Any other use
// of tar is refused, not guessed.

const MAGIC = "ferry-sim-tar/1 ";
const BLOCK = 512;
const RECORD = 10240;

interface Entry {
  name: string;
  head: string;
  size: number;
  apparent?: number;
  mode: number;
  owner: string;
  mtime: number;
  disk?: SimFile["disk"];
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** The bytes GNU tar's own archive would take for a simulated archive, or null when the stream is not one. */
export function archiveBytes(stream: string): number | null {
  if (!stream.startsWith(MAGIC)) return null;
  const e = JSON.parse(stream.slice(MAGIC.length)) as Entry;
  return roundUp(BLOCK + roundUp(e.size, BLOCK) + 2 * BLOCK, RECORD);
}

const FAILED = "tar: Exiting with failure status due to previous errors\n";
const FATAL = "tar: Error is not recoverable: exiting now\n";

export function tarCommand(world: World, hostName: string): CommandFn {
  return (argv, io) => {
    const [, c, dir, mode, f, ...rest] = argv;
    const create = mode === "-cSf" && rest[0] === "--" && rest.length === 2;
    const extract = mode === "-xSf" && rest.length === 0;
    if (c !== "-C" || f !== "-" || (!create && !extract)) {
      io.err("tar: only `tar -C DIR -cSf - -- NAME` and `tar -C DIR -xSf -` are simulated on this host\n");
      return 2;
    }
    const h = world.host(hostName);
    const dirKnown = (d: string) => Boolean(h.dirs[d]) || h.mounts.some((m) => m.path === d);
    if (create) {
      if (!dirKnown(dir)) {
        io.err(`tar: ${dir}: Cannot open: No such file or directory\n${FATAL}`);
        return 2;
      }
      const name = rest[1];
      const file = world.file(hostName, path.posix.join(dir, name));
      if (!file) {
        io.err(`tar: ${name}: Cannot stat: No such file or directory\n${FAILED}`);
        return 2;
      }
      const entry: Entry = { ...file, name, head: file.head.toString("base64") };
      io.out(MAGIC + JSON.stringify(entry));
      return 0;
    }
    if (!io.stdin.startsWith(MAGIC)) {
      io.err(`tar: This does not look like a tar archive\n${FAILED}`);
      return 2;
    }
    if (!dirKnown(dir)) {
      io.err(`tar: ${dir}: Cannot open: No such file or directory\n${FATAL}`);
      return 2;
    }
    const e = JSON.parse(io.stdin.slice(MAGIC.length)) as Entry;
    const at = world.locatePath(hostName, path.posix.join(dir, e.name));
    if (!at) {
      io.err(`tar: ${dir}: Cannot open: No such file or directory\n${FATAL}`);
      return 2;
    }
    // GNU tar replaces a file that is there; the mount is charged for the data only (the holes stay holes)
    const old = world.files.get(at.key);
    if (old) world.chargeSpace(at.mount, -Math.ceil(old.size / 1024));
    const room = (at.mount.totalKiB - at.mount.usedKiB) * 1024;
    const written = Math.min(e.size, room);
    const { name: _, head, ...meta } = e;
    // a file cut short by a full disk ends where tar stopped writing (no hole after it)
    const apparent = written < e.size ? undefined : e.apparent;
    world.files.set(at.key, { ...meta, apparent, head: Buffer.from(head, "base64"), size: written });
    world.chargeSpace(at.mount, Math.ceil(written / 1024));
    if (written < e.size) {
      const wrote = roundUp(written, BLOCK) % RECORD;
      io.err(`tar: ${e.name}: Wrote only ${wrote} of ${RECORD} bytes\n${FAILED}`);
      return 2;
    }
    return 0;
  };
}

/**
 * The file `tar -C DIR -xSf -` on `hostName` has written so far while `stream` arrives: a function of the bytes
 * received that leaves the partial file in place (its data up to there, charged to its mount), or null where the
 * command or the stream is not that. The extraction at the end replaces it whole (tarCommand).
 */
export function extractionSoFar(
  world: World,
  hostName: string,
  command: string,
  stream: string,
): ((received: number) => void) | null {
  const m = /^tar -C (\S+) -xSf -$/.exec(command.trim());
  if (!m || !stream.startsWith(MAGIC)) return null;
  const e = JSON.parse(stream.slice(MAGIC.length)) as Entry;
  const at = world.locatePath(hostName, path.posix.join(m[1], e.name));
  if (!at) return null;
  let charged = 0;
  return (received) => {
    const room = charged + (at.mount.totalKiB - at.mount.usedKiB) * 1024;
    const size = Math.max(0, Math.min(e.size, received - BLOCK, room));
    if (!world.files.has(at.key) && charged > 0) return; // removed meanwhile
    const { name: _, head, apparent: __, ...meta } = e;
    world.files.set(at.key, { ...meta, head: Buffer.from(head, "base64").subarray(0, size), size });
    world.chargeSpace(at.mount, Math.ceil(size / 1024) - Math.ceil(charged / 1024));
    charged = size;
  };
}
