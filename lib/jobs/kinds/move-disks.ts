import path from "node:path";
import type { HostView } from "../../inventory/types";
import type { Check } from "../../checks/migration";
import type { DiskPlan } from "../../checks/storage";
import { formatBytes } from "../../format-bytes";
import { fileExists } from "../../toolstacks/linux/disk-file";
import { freeKiB, hostArgv as argv } from "../../toolstacks/linux/host-commands";
import { jobLane } from "../lane";
import { ask, sha256Of } from "../settle";
import { asking, type RunContext } from "./context";
import { scpArgv } from "./move-image";

// A move's disks that the target does not see (issue 31): while the domain is stopped — after the save, before the
// restore — each is copied to the same path on the target (scp run on the source) and proved whole by its sha256 on
// both ends, so the restore opens the same paths there. The source keeps its files; the job names them. Every
// toolstack: the guest is stopped, so its disks are still.

export interface DiskMove {
  path: string;
  vdev: string;
  bytes: number;
}

/** Room a copy needs beyond the file's size (scp writes it whole: a sparse file takes its full size there) */
const ROOM_FACTOR = 1.05;

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
    const st = await src.exec(argv.statFile(d.path), { timeoutMs: 10_000 }).catch(() => null);
    const bytes = st?.code === 0 ? Number(st.stdout.trim().split(" ")[2]) : Number.NaN;
    if (!Number.isFinite(bytes)) {
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
    const need = Math.ceil(bytes * ROOM_FACTOR);
    if (free === null) why.push(`${target.name} has no directory ${dir} for the copy of ${d.vdev}.`);
    else if (free * 1024 < need)
      why.push(
        `${target.name} has ${formatBytes(free * 1024)} free in ${dir}; the copy of ${d.vdev} needs ${formatBytes(need)}.`,
      );
    else copies.push({ path: d.path, vdev: d.vdev, bytes });
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
      reason: `Copied to the same path on ${target.name} while the domain is stopped, after the save: ${copies.map((c) => `${c.vdev} (${c.path}, ${formatBytes(c.bytes)})`).join(", ")}. ${source.name} keeps its files.`,
    },
    copies,
  };
}

/**
 * Copies each disk to the same path on the target and checks its sha256 on both ends. On a failure, removes the copies
 * made so far (the source's files are untouched) and says why.
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
    await log(`ferry: copying ${c.vdev} (${c.path}, ${formatBytes(c.bytes)}) to ${target.name}:${c.path} over SSH`);
    const r = await jobLane(ctx.inventory.connection(source))
      .exec(scpArgv(c.path, target, c.path), { timeoutMs: 6 * 3600_000 })
      .catch((e: Error) => ({ code: -1, stderr: e.message }));
    done.push(c);
    if (r.code !== 0) {
      failure = `Could not copy ${c.path} to ${target.name}: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}.`;
      break;
    }
    const [here, there] = await Promise.all([sha256Of(a, source, c.path, phase), sha256Of(a, target, c.path, phase)]);
    if (here === null || here !== there) {
      failure = `The copy of ${c.path} on ${target.name} does not match the source (sha256).`;
      break;
    }
    await log(`ferry: ${c.vdev} copied whole: sha256 ${here.slice(0, 12)}… on both hosts`);
  }
  if (!failure) return null;
  await log(`ferry: ${failure}`);
  for (const c of done) await ask(a, target, phase, (x) => x.exec(argv.remove(c.path), { timeoutMs: 30_000 }));
  return failure;
}

/** What the job says about the disks after the guest runs on the target. */
export const keptNote = (source: HostView, copies: DiskMove[]) =>
  copies.length
    ? ` Its disks were copied; ${source.name} keeps the files it ran from, no longer used: ${copies.map((c) => c.path).join(", ")}. Remove them there once you are satisfied.`
    : "";
