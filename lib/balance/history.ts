import type { Db } from "../db/client";
import type { HostView } from "../inventory/types";
import { imbalance, memoryPct } from "./pressure";

// What the Balance view draws: each host's pressure now (from the inventory) and the cluster's memory over time (from
// the usage samples, lib/inventory/usage-history.ts): per interval, each host's last sample in it, the standard
// deviation of their memory in use — as the recommender figures it, over every host sampled then — and the fullest,
// mean and emptiest host's share.

export interface PressureNow {
  id: string;
  name: string;
  active: boolean;
  /** why it takes no part (offline, in maintenance), or null */
  why: string | null;
  memoryPct: number;
  usedMiB: number;
  totalMiB: number;
  domains: number;
}

export function pressureNow(views: HostView[]): PressureNow[] {
  return views.map((v) => {
    const total = v.facts?.totalMemoryMiB ?? 0;
    const used = Math.max(0, total - (v.facts?.freeMemoryMiB ?? 0));
    const why =
      v.status !== "online" || !v.facts
        ? `${v.status}`
        : v.stale
          ? "not answering"
          : v.maintenance
            ? "in maintenance"
            : null;
    return {
      id: v.id,
      name: v.name,
      active: why === null,
      why,
      memoryPct: Math.round(memoryPct({ usedMiB: used, totalMiB: total }) * 10) / 10,
      usedMiB: used,
      totalMiB: total,
      domains: v.domains.filter((d) => d.id !== 0).length,
    };
  });
}

export interface ImbalancePoint {
  at: string;
  memoryPts: number;
  /** the fullest host's memory in use, the hosts' mean and the emptiest's, in percent */
  maxPct: number;
  meanPct: number;
  minPct: number;
  hosts: number;
}

export async function imbalanceHistory(
  db: Db,
  sinceMs: number,
  bucketMs: number,
  now = Date.now(),
): Promise<ImbalancePoint[]> {
  const rows = await db.memorySample.findMany({
    where: { at: { gte: new Date(now - sinceMs) } },
    orderBy: { at: "asc" },
    select: { hostId: true, at: true, freeMiB: true, totalMiB: true },
  });
  const buckets = new Map<number, Map<string, { usedMiB: number; totalMiB: number }>>();
  for (const r of rows) {
    const b = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
    if (!buckets.has(b)) buckets.set(b, new Map());
    buckets.get(b)!.set(r.hostId, { usedMiB: r.totalMiB - r.freeMiB, totalMiB: r.totalMiB });
  }
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return [...buckets].map(([b, hosts]) => {
    const pcts = [...hosts.values()].map(memoryPct);
    return {
      at: new Date(b).toISOString(),
      memoryPts: r1(imbalance([...hosts.values()].map((h) => ({ ...h, cpus: 0, cpuBusy: 0 }))).memoryPts),
      maxPct: r1(Math.max(...pcts)),
      meanPct: r1(pcts.reduce((a, x) => a + x, 0) / pcts.length),
      minPct: r1(Math.min(...pcts)),
      hosts: hosts.size,
    };
  });
}
