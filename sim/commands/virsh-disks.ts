import path from "node:path";
import type { SimDomain, SimFile, SimHost, SimJob, World } from "../world";

// The disks of a simulated libvirt migration, as the lab's libvirt 9.0 / QEMU 7.2 treats them: a disk the target sees
// on the same storage needs nothing; one it does not see is copied first with --copy-storage-all (or the disks
// --migrate-disks names) into a file that must already be at its path on the target (else "Storage pool not found",
// fixtures/migrate-copy-storage-nopool-lab.stderr.txt); without a copy, the target's QEMU cannot open a disk that is
// not there. The copy takes the bytes the disk holds at the link's speed; libvirt counts the disk's full size. A qcow2
// overlay: --copy-storage-inc moves its own bytes only, into an overlay of the same backing file on the target (one
// that is not is refused here: QEMU would not say, and the guest would read another disk); --copy-storage-all moves
// the backing file's bytes too.

export interface SimDiskCopy {
  path: string;
  vdev: string;
  file: SimFile;
  /** the bytes that cross the link */
  bytes: number;
}

/** The disks to copy, or the error libvirt prints before anything starts. */
export function planDiskCopies(
  world: World,
  src: SimHost,
  dst: SimHost,
  dom: SimDomain,
  args: string[],
): { copies: SimDiskCopy[]; error: string | null } {
  const topOnly = args.includes("--copy-storage-inc");
  const all = args.includes("--copy-storage-all") || topOnly;
  const i = args.indexOf("--migrate-disks");
  const only = i >= 0 ? args[i + 1]?.split(",") : null;
  const copies: SimDiskCopy[] = [];
  for (const d of dom.disks) {
    if (d.target.includes(":")) continue; // an NFS root the guest mounts itself: not a disk QEMU opens
    const here = world.locatePath(src.name, d.target);
    const there = world.locatePath(dst.name, d.target);
    if (here && there && here.key === there.key) continue; // shared storage
    const copied = all && (!only || only.includes(d.vdev));
    const onTarget = world.file(dst.name, d.target);
    if (!copied) {
      if (!onTarget)
        return { copies: [], error: `Cannot access storage file '${d.target}': No such file or directory` };
      continue;
    }
    if (!onTarget)
      return {
        copies: [],
        error: `Storage pool not found: no storage pool with matching target path '${path.posix.dirname(d.target)}'`,
      };
    const file = world.file(src.name, d.target);
    if (!file) return { copies: [], error: `Cannot access storage file '${d.target}': No such file or directory` };
    const backing = file.disk?.backing;
    if (topOnly && backing) {
      const same = onTarget.disk?.backing?.path === backing.path && world.file(dst.name, backing.path);
      if (!same)
        return {
          copies: [],
          error: `the simulated QEMU copies an overlay's top only onto an overlay of ${backing.path} that ${dst.name} holds`,
        };
    }
    const under = backing && !topOnly ? (world.file(src.name, backing.path)?.size ?? 0) : 0;
    copies.push({ path: d.target, vdev: d.vdev, file, bytes: file.size + under });
  }
  return { copies, error: null };
}

/**
 * Copies the disks over the link (a tick at a time, at `bps()`), the job's "File" figures counting their full size.
 * False when `stop()` said to stop first (an abort, a lost link): the target's files are left as they are.
 */
export async function copyDisks(
  world: World,
  job: SimJob,
  copies: SimDiskCopy[],
  bps: () => number,
  tick: () => Promise<void>,
  stop: () => boolean,
): Promise<boolean> {
  const total = copies.reduce((s, c) => s + (c.file.disk?.virtualBytes ?? c.file.size), 0);
  const bytes = copies.reduce((s, c) => s + c.bytes, 0);
  job.disk = { processed: 0, total, copying: true };
  let sent = 0;
  while (sent < bytes) {
    if (stop()) return false;
    const t0 = Date.now();
    await tick();
    sent = Math.min(bytes, sent + bps() * (((Date.now() - t0) * world.timeScale) / 1000));
    job.disk.processed = Math.round((total * sent) / Math.max(1, bytes));
  }
  job.disk = { processed: total, total, copying: false };
  return true;
}

/** The copies hold what the source's disks held. */
export function commitDiskCopies(world: World, dst: SimHost, copies: SimDiskCopy[]) {
  for (const c of copies) {
    const at = world.locatePath(dst.name, c.path);
    if (!at) continue;
    const before = world.files.get(at.key);
    world.files.set(at.key, { ...c.file, head: Buffer.from(c.file.head), mtime: Date.now() });
    world.chargeSpace(at.mount, Math.ceil((c.file.size - (before?.size ?? 0)) / 1024));
  }
}
