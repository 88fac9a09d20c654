// How unbalanced a cluster is: each host's memory in use and CPU busy as shares of what it has, and the spread of
// those shares across the hosts that take part (online, not in maintenance) as a standard deviation in percentage
// points. One figure to rank plans by: the memory spread plus the CPU spread (a cluster whose hosts all sit at the
// same share of their memory and of their CPUs scores 0).

export interface HostPressure {
  id: string;
  name: string;
  /** memory the host has, and what is in use (its total less what its toolstack reports free) */
  totalMiB: number;
  usedMiB: number;
  cpus: number;
  /** CPUs kept busy by its domains (the CPU time they used per second, over the window), 0 when not known */
  cpuBusy: number;
}

export interface Imbalance {
  /** the standard deviation of the hosts' memory in use, in percentage points of their memory */
  memoryPts: number;
  /** the same for CPU busy */
  cpuPts: number;
  /** what plans are ranked by: memoryPts + cpuPts */
  score: number;
  /** the highest and lowest memory share, in percent */
  memoryMaxPct: number;
  memoryMinPct: number;
}

export const memoryPct = (h: Pick<HostPressure, "usedMiB" | "totalMiB">) =>
  h.totalMiB > 0 ? (100 * h.usedMiB) / h.totalMiB : 0;
export const cpuPct = (h: Pick<HostPressure, "cpuBusy" | "cpus">) => (h.cpus > 0 ? (100 * h.cpuBusy) / h.cpus : 0);

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
}

export function imbalance(hosts: Pick<HostPressure, "usedMiB" | "totalMiB" | "cpuBusy" | "cpus">[]): Imbalance {
  const mem = hosts.map(memoryPct);
  const cpu = hosts.map(cpuPct);
  const memoryPts = std(mem);
  const cpuPts = std(cpu);
  return {
    memoryPts,
    cpuPts,
    score: memoryPts + cpuPts,
    memoryMaxPct: mem.length ? Math.max(...mem) : 0,
    memoryMinPct: mem.length ? Math.min(...mem) : 0,
  };
}
