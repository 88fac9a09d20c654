import type { Db } from "../db/client";
import type { JobInfoPayload } from "../jobs/types";

// How fast disks were copied before, on one link: QEMU's mirror copies a disk slower than the link carries memory
// (the lab, TCG: a 24 MiB qcow2 disk the guest writes took 0.6–1.2 s over a link that moved memory at 250–300 MiB/s),
// so a forecast at the link's speed under-reads the copy many times over. Each earlier move with disks on the link
// says how many bytes it copied (its "disk-copy" events, the bytes in use) and how fast QEMU went: the share done at
// the last poll while the copy ran, over QEMU's own elapsed time then — or, when no poll saw it running, the first that
// shows the disks in sync or the memory's figures begun (up to one poll late).

/** The bytes per second an earlier move's disk copy ran at, or null when its events do not say. */
async function diskRateOf(db: Db, jobId: string): Promise<number | null> {
  const events = await db.jobEvent.findMany({
    where: { jobId, type: { in: ["disk-copy", "jobinfo"] } },
    select: { type: true, payloadJson: true },
    orderBy: { seq: "asc" },
  });
  let bytes = 0;
  let mid: { share: number; ms: number } | null = null;
  for (const e of events) {
    if (e.type === "disk-copy") {
      bytes += (JSON.parse(e.payloadJson) as { allocatedBytes: number }).allocatedBytes;
      continue;
    }
    const p = JSON.parse(e.payloadJson) as JobInfoPayload;
    // a poll while the copy ran: the share done by then, in the bytes in use (libvirt counts the virtual size)
    if (p.diskTotal && p.diskProcessed && p.diskProcessed < p.diskTotal && p.elapsedMs) {
      mid = { share: p.diskProcessed / p.diskTotal, ms: p.elapsedMs };
      continue;
    }
    const done = (p.diskTotal != null && p.diskRemaining === 0) || (p.memoryTotal != null && !p.final);
    if (!done || !p.elapsedMs || bytes <= 0) continue;
    // the last poll while it ran says its rate; the first after it is up to a poll late, which the lab's 0.5 s polls
    // made a third of a 1.5 s copy
    return mid ? (bytes * mid.share) / (mid.ms / 1000) : bytes / (p.elapsedMs / 1000);
  }
  return null;
}

/**
 * The median disk copy rate of up to five of `jobIds` (earlier successful migrations on the link, newest first) that
 * copied disks, and how many said; null when none did.
 */
export async function learnedDiskRate(db: Db, jobIds: string[]): Promise<{ bps: number; moves: number } | null> {
  const rates: number[] = [];
  for (const id of jobIds) {
    if (rates.length >= 5) break;
    const r = await diskRateOf(db, id);
    if (r) rates.push(r);
  }
  if (!rates.length) return null;
  const sorted = [...rates].sort((a, b) => a - b);
  return { bps: sorted[Math.floor(sorted.length / 2)], moves: rates.length };
}
