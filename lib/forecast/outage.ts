import type { Db } from "../db/client";

// How long a move by save/restore stops the guest: the save writes its memory to disk, a copy crosses the link
// when the hosts share no storage (and the disks the target does not see), the restore reads it back. Disk speed from this host's earlier saves
// (their whole running time, checksum included: an upper side), else a stated default.

const DEFAULT_DISK_BPS = 200 * 1024 * 1024;
const DEFAULT_LINK_BPS = 125_000_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface OutageForecast {
  ms: number;
  sources: string[];
}

export async function forecastMoveOutage(
  db: Db,
  m: { memoryMiB: number; source: string; shared: boolean; linkBps?: number | null; diskBytes?: number },
): Promise<OutageForecast> {
  const bytes = m.memoryMiB * 1024 * 1024;
  const saves = await db.job.findMany({
    where: {
      kind: "save",
      status: "succeeded",
      sourceName: m.source,
      startedAt: { not: null },
      finishedAt: { not: null },
    },
    orderBy: { createdAt: "desc" },
    take: 10,
  });
  const rates = saves
    .map((j) => Number(j.bytesSent) / Math.max(0.001, (j.finishedAt!.getTime() - j.startedAt!.getTime()) / 1000))
    .filter((r) => r > 0);
  const diskBps = rates.length ? median(rates) : DEFAULT_DISK_BPS;
  const sources = [
    rates.length
      ? `disk speed from ${rates.length} earlier save${rates.length > 1 ? "s" : ""} on ${m.source}: ${(diskBps / 1048576).toFixed(0)} MiB/s`
      : "disk speed: default 200 MiB/s (no earlier save on this host)",
  ];
  let ms = ((2 * bytes) / diskBps) * 1000;
  if (!m.shared) {
    const linkBps = m.linkBps ?? DEFAULT_LINK_BPS;
    ms += (bytes / linkBps) * 1000;
    sources.push(
      m.linkBps ? `copy over the link at ${(linkBps / 1048576).toFixed(0)} MiB/s` : "copy at a default 1 Gbit/s",
    );
  } else sources.push("shared storage: no copy");
  if (m.diskBytes) {
    // the disks the target does not see cross the link too, while the guest is stopped
    const linkBps = m.linkBps ?? DEFAULT_LINK_BPS;
    ms += (m.diskBytes / linkBps) * 1000;
    sources.push(`the disks copied while it is stopped: ${(m.diskBytes / 1048576).toFixed(0)} MiB over the link`);
  }
  return { ms: Math.round(ms), sources };
}
