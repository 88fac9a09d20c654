import path from "node:path";
import type { HostView } from "../../inventory/types";
import type { Check } from "../../checks/migration";
import type { DiskPlan } from "../../checks/storage";
import { targetAddressOf } from "../../checks/migration";
import { formatBytes } from "../../format-bytes";
import { fileExists } from "../../toolstacks/linux/disk-file";
import { freeKiB, hostArgv as argv, parseStatSizes } from "../../toolstacks/linux/host-commands";
import { isRunning } from "../../toolstacks/linux/ps";
import { ask, sha256Of } from "../settle";
import { asking, type RunContext } from "./context";
import { reportCopied, runCopy } from "./copy-progress";

// A move's disks that the target does not see (issue 31): while the domain is stopped — after the save, before the
// restore — each is copied to the same path on the target (tar through ssh, run on the source: a sparse disk's holes
// stay holes and are not sent) and proved whole by its sha256 on both ends, so the restore opens the same paths there.
// The source keeps its files; the job names them. Every toolstack: the guest is stopped, so its disks are still.

export interface DiskMove {
  path: string;
  vdev: string;
  /** what the copy sends and takes on the target: the bytes the file takes on the source's disk */
  bytes: number;
  /** the file's size (a sparse file's is larger than what it takes) */
  sizeBytes: number;
}

/** Room a copy needs beyond the bytes the file takes (the file system's own blocks for it) */
const ROOM_FACTOR = 1.05;

/** "64.0 MiB", or for a sparse file "1.00 GiB file, 64.0 MiB in use" */
const sizeOf = (c: DiskMove) =>
  c.sizeBytes > c.bytes ? `${formatBytes(c.sizeBytes)} file, ${formatBytes(c.bytes)} in use` : formatBytes(c.bytes);

/**
 * The move's disk check from the live migration's plan of the disks: shared ones need nothing; each other one must be
 * readable on the source and have a free path and room on the target. The disks to copy, or the refusal.
 */
export async function moveDisksCheck(
  ctx: RunContext,
  disks: DiskPlan[],
  liveStorage: Check | undefined,
  source: HostView,
  target: HostView,
): Promise<{ check: Check | null; copies: DiskMove[] }> {
  const label = "Disks visible on the target, or copied";
  const local = disks.filter((d) => !d.shared);
  if (!local.length) return { check: liveStorage ? { ...liveStorage, label } : null, copies: [] };
  const src = ctx.inventory.connection(source);
  const dst = ctx.inventory.connection(target);
  const why: string[] = [];
  const copies: DiskMove[] = [];
  for (const d of local) {
    // an overlay restored on the target opens its base there: at the same path, on storage both hosts share
    if (d.layeredOn && !d.layeredOn.shared) {
      why.push(
        `${d.path} is layered on ${d.layeredOn.path}, which ${target.name} does not see at the same path: the restore there could not open it (put the base on storage both hosts share, or flatten the disk first).`,
      );
      continue;
    }
    const st = await src.exec(argv.statSizes(d.path), { timeoutMs: 10_000 }).catch(() => null);
    const sizes = st?.code === 0 ? parseStatSizes(st.stdout) : null;
    if (!sizes) {
      why.push(`Ferry could not read ${d.path} on ${source.name} (${d.path.includes(":") ? "not a file" : "stat"}).`);
      continue;
    }
    const there = await fileExists(dst, d.path);
    if (there !== false) {
      why.push(
        there
          ? `${target.name} already has a file at ${d.path}: Ferry does not write over it.`
          : `Ferry could not ask ${target.name} about ${d.path}.`,
      );
      continue;
    }
    const dir = path.posix.dirname(d.path);
    const free = await freeKiB(dst, dir);
    const bytes = Math.min(sizes.allocatedBytes, sizes.sizeBytes);
    const need = Math.ceil(bytes * ROOM_FACTOR);
    if (free === null) why.push(`${target.name} has no directory ${dir} for the copy of ${d.vdev}.`);
    else if (free * 1024 < need)
      why.push(
        `${target.name} has ${formatBytes(free * 1024)} free in ${dir}; the copy of ${d.vdev} needs ${formatBytes(need)}.`,
      );
    else copies.push({ path: d.path, vdev: d.vdev, bytes, sizeBytes: sizes.sizeBytes });
  }
  const names = local.map((d) => `${d.vdev} (${d.path})`).join(", ");
  if (why.length)
    return {
      check: { id: "storage", label, status: "fail", reason: `${names} must be copied: ${why.join(" ")}` },
      copies: [],
    };
  return {
    check: {
      id: "storage",
      label,
      status: "ok",
      reason: `Copied to the same path on ${target.name} while the domain is stopped, after the save: ${copies.map((c) => `${c.vdev} (${c.path}, ${sizeOf(c)})`).join(", ")}. ${source.name} keeps its files.`,
    },
    copies,
  };
}

/**
 * Copies each disk to the same path on the target and checks its sha256 on both ends. A lost session is not a failed
 * copy: Ferry waits for the copy to end on the source, then compares. On a failure, removes the copies made so far
 * (the source's files are untouched) and says why.
 */
export async function copyDisks(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  copies: DiskMove[],
): Promise<string | null> {
  const a = asking(ctx);
  const phase = "commitment" as const;
  const log = (line: string) => ctx.emit({ type: "log", phase, payload: { line } });
  const done: DiskMove[] = [];
  let failure: string | null = null;
  for (const c of copies) {
    // stored before the copy begins: after a restart, the recovery knows what this job may have begun on the target
    await ctx.emit({
      type: "disk-file-copy",
      phase,
      payload: { host: target.name, path: c.path, vdev: c.vdev, bytes: c.bytes },
    });
    await log(`ferry: copying ${c.vdev} (${c.path}, ${sizeOf(c)}) to ${target.name}:${c.path} over SSH, holes kept`);
    const copy = argv.sparseCopyTo(c.path, targetAddressOf(target));
    const file = { path: c.path, label: c.vdev, bytes: c.bytes };
    const r = await runCopy(ctx, source, target, file, copy);
    done.push(c);
    // a copy Ferry lost sight of was waited out (runCopy): the sha256 on both ends says whether it is whole
    if (!(r instanceof Error) && r.code !== 0) {
      failure = `Could not copy ${c.path} to ${target.name}: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}.`;
      break;
    }
    const [here, there] = await Promise.all([sha256Of(a, source, c.path, phase), sha256Of(a, target, c.path, phase)]);
    if (here === null || here !== there) {
      failure = `The copy of ${c.path} on ${target.name} does not match the source (sha256).`;
      break;
    }
    await reportCopied(ctx, target, file);
    await log(`ferry: ${c.vdev} copied whole: sha256 ${here.slice(0, 12)}… on both hosts`);
  }
  if (!failure) return null;
  await log(`ferry: ${failure}`);
  for (const c of done) await ask(a, target, phase, (x) => x.exec(argv.remove(c.path), { timeoutMs: 30_000 }));
  return failure;
}

/**
 * After a restart, a move that stopped before its restore (the domain sits in its image): each disk copy it had begun
 * on the target (its stored "disk-file-copy" events) is waited for while it still runs on the source, then removed —
 * the source's files are the domain's, and a restore on the target must not open a partial copy. Says what it did.
 */
export async function removeBegunCopies(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  paths: string[],
): Promise<string> {
  if (!paths.length) return "";
  const a = asking(ctx);
  const phase = "commitment" as const;
  const left: string[] = [];
  for (const p of paths) {
    const copy = argv.sparseCopyTo(p, targetAddressOf(target));
    while (await ask(a, source, phase, (x) => isRunning(x, copy)))
      await new Promise((res) => setTimeout(res, a.pollMs));
    const r = await ask(a, target, phase, (x) => x.exec(argv.remove(p), { timeoutMs: 30_000 }));
    if (r.code !== 0) left.push(p);
  }
  await ctx.emit({
    type: "log",
    phase,
    payload: {
      line: `ferry: removed the disk copies this move had begun on ${target.name}: ${paths.filter((p) => !left.includes(p)).join(", ") || "none"}`,
    },
  });
  return left.length
    ? ` Ferry could not remove the disk copies it had begun on ${target.name}: ${left.join(", ")}; do not restore there before they are gone.`
    : ` The disk copies it had begun on ${target.name} were removed; its disks on ${source.name} are untouched.`;
}

/** What the job says about the disks after the guest runs on the target. */
export const keptNote = (source: HostView, copies: DiskMove[]) =>
  copies.length
    ? ` Its disks were copied; ${source.name} keeps the files it ran from, no longer used: ${copies.map((c) => c.path).join(", ")}. Remove them there once you are satisfied.`
    : "";
