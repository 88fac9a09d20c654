import type { Db } from "../db/client";
import type { JobInfoPayload } from "../toolstacks/events";

// What earlier migrations' own reports say (libvirt's domjobinfo polls, stored as "jobinfo" events): QEMU's completed
// statistics, the dirty rate it tracked, and the time it spends beyond moving memory.

/** QEMU's completed-job statistics of a migration (domjobinfo --completed on the target), if stored. */
export async function finalJobInfo(db: Db, jobId: string): Promise<JobInfoPayload | null> {
  const events = await db.jobEvent.findMany({
    where: { jobId, type: "jobinfo" },
    select: { payloadJson: true },
    orderBy: { seq: "desc" },
    take: 5,
  });
  for (const e of events) {
    const p = JSON.parse(e.payloadJson) as JobInfoPayload;
    if (p.final) return p;
  }
  return null;
}

/** The highest dirty rate QEMU reported (domjobinfo "Dirty rate" × page size) during a migration job. */
export async function trackedDirtyBps(db: Db, jobId: string): Promise<number | null> {
  const events = await db.jobEvent.findMany({ where: { jobId, type: "jobinfo" }, select: { payloadJson: true } });
  const rates = events
    .map((e) => JSON.parse(e.payloadJson))
    .filter((p) => !p.final && p.dirtyPagesPerSec > 0)
    .map((p) => p.dirtyPagesPerSec * (p.pageSize ?? 4096));
  return rates.length ? Math.max(...rates) : null;
}

/**
 * What a migration spent beyond moving its memory, by QEMU's completed statistics: its elapsed time less the memory
 * it processed at the bandwidth it measured and less its downtime (which the forecast makes on its own) — libvirt
 * and QEMU setting up the target, connecting, and what the pre-copy model leaves out. Null for statistics that name
 * disks copied (their time is forecast on its own) or lack a figure.
 */
export function setupMsOf(p: JobInfoPayload): number | null {
  if (!p.elapsedMs || !p.memoryProcessed || !p.bandwidthBps || p.totalDowntimeMs === null) return null;
  if (p.diskTotal) return null;
  return Math.max(0, p.elapsedMs - (p.memoryProcessed / p.bandwidthBps) * 1000 - p.totalDowntimeMs);
}

/**
 * The median time beyond the memory of up to five of `jobIds` (earlier successful migrations, newest first) that
 * copied no disks and whose completed statistics say it, and how many said; null when none did. In the lab (QEMU under software emulation) it
 * was most of each migration: 0.5–0.6 s of QEMU's 0.7–0.8 s, where the memory took 0.2 s at the link's speed.
 */
export async function learnedSetupMs(db: Db, jobIds: string[]): Promise<{ ms: number; moves: number } | null> {
  const setups: number[] = [];
  for (const id of jobIds) {
    if (setups.length >= 5) break;
    // a migration that copied disks: QEMU's completed statistics may no longer name them (the lab's libvirt 9.0 did
    // not), and their copy would count as set-up
    if (await db.jobEvent.findFirst({ where: { jobId: id, type: "disk-copy" }, select: { id: true } })) continue;
    const p = await finalJobInfo(db, id);
    const ms = p ? setupMsOf(p) : null;
    if (ms !== null) setups.push(ms);
  }
  if (!setups.length) return null;
  return { ms: [...setups].sort((a, b) => a - b)[Math.floor(setups.length / 2)], moves: setups.length };
}
