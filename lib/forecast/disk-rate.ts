import type { Db } from "../db/client";
import type { JobInfoPayload } from "../jobs/types";

// How fast disks were copied before, on one link: QEMU's mirror copies a disk slower than the link carries memory
// (the lab, TCG: a 24 MiB qcow2 disk the guest writes took 0.6–1.2 s over a link that moved memory at 250–300 MiB/s),
// so a forecast at the link's speed under-reads the copy many times over. Each earlier move with disks on the link
// says how many bytes it copied (its "disk-copy" events, the bytes in use) and, from libvirt's polls while the copy
// ran, how fast QEMU went and when it began. The copy does not begin with QEMU's job: libvirt and QEMU set up the
// target first (0.9–1.6 s in the lab's moves of 2026-12-06, whose copies then ran at 230–260 MiB/s for about 1 s), so
// a rate taken over the job's elapsed time from its start reads slow by however early the poll came. With two polls
// during the copy: the rate between them, and the lead before the copy began. With one: the share done over the
// elapsed time (the lead counted in the rate). With none: the first poll that shows the disks in sync or the
// memory's figures begun (up to one poll late).

export interface DiskRate {
  /** bytes per second while the copy ran */
  bps: number;
  /** QEMU's time from the job's start to the copy's (0 when the polls cannot tell it apart) */
  leadMs: number;
}

/** An earlier move's disk copy, or null when its events do not say. */
async function diskRateOf(db: Db, jobId: string): Promise<DiskRate | null> {
  const events = await db.jobEvent.findMany({
    where: { jobId, type: { in: ["disk-copy", "jobinfo"] } },
    select: { type: true, payloadJson: true },
    orderBy: { seq: "asc" },
  });
  let bytes = 0;
  const during: { share: number; ms: number }[] = [];
  for (const e of events) {
    if (e.type === "disk-copy") {
      bytes += (JSON.parse(e.payloadJson) as { allocatedBytes: number }).allocatedBytes;
      continue;
    }
    const p = JSON.parse(e.payloadJson) as JobInfoPayload;
    // a poll while the copy ran: the share done by then, in the bytes in use (libvirt counts the virtual size)
    if (p.diskTotal && p.diskProcessed && p.diskProcessed < p.diskTotal && p.elapsedMs) {
      during.push({ share: p.diskProcessed / p.diskTotal, ms: p.elapsedMs });
      continue;
    }
    const done = (p.diskTotal != null && p.diskRemaining === 0) || (p.memoryTotal != null && !p.final);
    if (!done || !p.elapsedMs || bytes <= 0) continue;
    const first = during[0];
    const last = during.at(-1);
    if (first && last && last.share > first.share && last.ms > first.ms) {
      const bps = (bytes * (last.share - first.share)) / ((last.ms - first.ms) / 1000);
      return { bps, leadMs: Math.max(0, first.ms - ((bytes * first.share) / bps) * 1000) };
    }
    return { bps: last ? (bytes * last.share) / (last.ms / 1000) : bytes / (p.elapsedMs / 1000), leadMs: 0 };
  }
  return null;
}

/**
 * The median disk copy rate and lead of up to five of `jobIds` (earlier successful migrations on the link, newest
 * first) that copied disks, and how many said; null when none did.
 */
export async function learnedDiskRate(db: Db, jobIds: string[]): Promise<(DiskRate & { moves: number }) | null> {
  const rates: DiskRate[] = [];
  for (const id of jobIds) {
    if (rates.length >= 5) break;
    const r = await diskRateOf(db, id);
    if (r) rates.push(r);
  }
  if (!rates.length) return null;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { bps: median(rates.map((r) => r.bps)), leadMs: median(rates.map((r) => r.leadMs)), moves: rates.length };
}
