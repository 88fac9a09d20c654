import type { Db } from "../db/client";
import type { HostView } from "../inventory/types";
import { imbalance, memoryPct } from "./pressure";

// What the Balance view draws: each host's pressure now (from the inventory) and the cluster's memory imbalance over
// time (from the usage samples, lib/inventory/usage-history.ts): per interval, each host's last sample in it, and the
// standard deviation of their memory in use — as the recommender figures it, over every host sampled then.

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
  return [...buckets].map(([b, hosts]) => ({
    at: new Date(b).toISOString(),
    memoryPts:
      Math.round(imbalance([...hosts.values()].map((h) => ({ ...h, cpus: 0, cpuBusy: 0 }))).memoryPts * 10) / 10,
    hosts: hosts.size,
  }));
}
