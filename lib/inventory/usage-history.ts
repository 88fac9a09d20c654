// Usage over time: what each host had free and what each guest domain held, the CPU time the toolstack lists for
// each domain, sampled from the inventory's own refreshes (no extra SSH traffic for these) at most once a minute per
// host, kept for a week — and the migration NIC's byte counters, read then (`readNic`: two small reads a minute). The
// host page draws the host's series (memory, CPU, network); the domain page the domain's, across the hosts it ran on.
// Rates (CPU %, bytes/s) are the change from one sample to the next.
import type { Db } from "../db/client";
import type { HostView } from "./types";
import type { Inventory } from "./inventory";

export interface HostMemoryPoint {
  at: string;
  freeMiB: number;
  totalMiB: number;
  /** the guests' memory at that moment */
  guestsMiB: number;
  /** every domain's CPU time since the previous sample, as a share of the host's CPUs (0–100); null for the first */
  cpuPct: number | null;
  /** the migration NIC's bytes per second since the previous sample, received and sent; null when unknown */
  rxBps: number | null;
  txBps: number | null;
  nic: string | null;
}

export interface DomainMemoryPoint {
  at: string;
  memoryMiB: number;
  hostId: string;
  /** its CPU time since its previous sample on the same host, as a share of its vCPUs (0–100); null for the first */
  cpuPct: number | null;
}

interface SampledDomain {
  uuid: string | null;
  name: string;
  memoryMiB: number;
  cpuSeconds?: number;
  vcpus?: number;
}

/** The migration NIC's counters of a host (lib/toolstacks/linux/host-commands.ts reads them), or null. */
export type NicReader = (view: HostView) => Promise<{ nic: string; rx: number; tx: number } | null>;

/** a rate from two readings, never negative (a counter that went back — a restart, a domain gone — gives null) */
const rate = (a: number | null | undefined, b: number | null | undefined, seconds: number) =>
  a == null || b == null || seconds <= 0 || b < a ? null : (b - a) / seconds;

export const DAY_MS = 24 * 3600_000;

export class UsageHistory {
  private readonly last = new Map<string, number>();
  private lastPrune = 0;
  private readonly everyMs: number;
  private readonly keepMs: number;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    opts: { everyMs?: number; keepMs?: number } = {},
    /** the NIC's counters (none: the network series stays empty) */
    private readonly readNic: NicReader | null = null,
  ) {
    this.everyMs = opts.everyMs ?? 60_000;
    this.keepMs = opts.keepMs ?? 7 * DAY_MS;
  }

  /** Samples every host the inventory sees answering. */
  attach(inventory: Inventory): void {
    inventory.on("host", (view) => {
      this.chain = this.chain.then(() => this.record(view)).catch(() => {});
    });
  }

  /** Waits for the samples already taken to be written (tests). */
  flushed(): Promise<unknown> {
    return this.chain;
  }

  /** Writes a sample of an online host if its last one is older than the interval; returns whether it did. */
  async record(view: HostView, now = Date.now()): Promise<boolean> {
    if (view.status !== "online" || view.stale || !view.facts) return false;
    const prev = this.last.get(view.id);
    if (prev !== undefined && now - prev < this.everyMs) return false;
    this.last.set(view.id, now);
    const domains: SampledDomain[] = view.domains
      .filter((d) => d.id !== 0)
      .map((d) => ({ uuid: d.uuid, name: d.name, memoryMiB: d.memoryMiB, cpuSeconds: d.cpuSeconds, vcpus: d.vcpus }));
    const nic = this.readNic ? await this.readNic(view).catch(() => null) : null;
    await this.db.memorySample.create({
      data: {
        hostId: view.id,
        at: new Date(now),
        freeMiB: view.facts.freeMemoryMiB,
        totalMiB: view.facts.totalMemoryMiB,
        domainsJson: JSON.stringify(domains),
        cpuSeconds: view.domains.reduce((a, d) => a + (Number.isFinite(d.cpuSeconds) ? d.cpuSeconds : 0), 0),
        nrCpus: view.facts.nrCpus,
        ...(nic ? { nic: nic.nic, rxBytes: BigInt(nic.rx), txBytes: BigInt(nic.tx) } : {}),
      },
    });
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      await this.db.memorySample.deleteMany({ where: { at: { lt: new Date(now - this.keepMs) } } });
    }
    return true;
  }

  async forHost(hostId: string, sinceMs = DAY_MS, now = Date.now()): Promise<HostMemoryPoint[]> {
    const rows = await this.db.memorySample.findMany({
      where: { hostId, at: { gte: new Date(now - sinceMs) } },
      orderBy: { at: "asc" },
    });
    return rows.map((r, i) => {
      const prev = rows[i - 1];
      const seconds = prev ? (r.at.getTime() - prev.at.getTime()) / 1000 : 0;
      const cpu = prev ? rate(prev.cpuSeconds, r.cpuSeconds, seconds) : null;
      const sameNic = !!prev?.nic && prev.nic === r.nic;
      const num = (b: bigint | null | undefined) => (b == null ? null : Number(b));
      return {
        at: r.at.toISOString(),
        freeMiB: r.freeMiB,
        totalMiB: r.totalMiB,
        guestsMiB: (JSON.parse(r.domainsJson) as SampledDomain[]).reduce((s, d) => s + d.memoryMiB, 0),
        cpuPct: cpu === null || !r.nrCpus ? null : Math.min(100, (100 * cpu) / r.nrCpus),
        rxBps: sameNic ? rate(num(prev.rxBytes), num(r.rxBytes), seconds) : null,
        txBps: sameNic ? rate(num(prev.txBytes), num(r.txBytes), seconds) : null,
        nic: r.nic ?? null,
      };
    });
  }

  /**
   * CPUs kept busy over the last `windowMs`, per host and per domain on it (keyed `hostId|uuid or name`): the CPU
   * time between the window's first and last samples of each host, per second. A host with one sample in the window
   * (or a domain that was not in both) is absent: not known.
   */
  async cpuBusy(
    windowMs: number,
    now = Date.now(),
  ): Promise<{ hosts: Map<string, number>; domains: Map<string, number> }> {
    const rows = await this.db.memorySample.findMany({
      where: { at: { gte: new Date(now - windowMs) } },
      orderBy: { at: "asc" },
      select: { hostId: true, at: true, domainsJson: true },
    });
    const ends = new Map<string, { first: (typeof rows)[number]; last: (typeof rows)[number] }>();
    for (const r of rows) {
      const e = ends.get(r.hostId);
      if (e) e.last = r;
      else ends.set(r.hostId, { first: r, last: r });
    }
    const hosts = new Map<string, number>();
    const domains = new Map<string, number>();
    for (const [hostId, { first, last }] of ends) {
      const seconds = (last.at.getTime() - first.at.getTime()) / 1000;
      if (first === last || seconds <= 0) continue;
      const before = new Map((JSON.parse(first.domainsJson) as SampledDomain[]).map((d) => [d.uuid ?? d.name, d]));
      let sum = 0;
      for (const d of JSON.parse(last.domainsJson) as SampledDomain[]) {
        const busy = rate(before.get(d.uuid ?? d.name)?.cpuSeconds, d.cpuSeconds, seconds);
        if (busy === null) continue;
        domains.set(`${hostId}|${d.uuid ?? d.name}`, busy);
        sum += busy;
      }
      hosts.set(hostId, sum);
    }
    return { hosts, domains };
  }

  /** A domain by its UUID (or, when it has none, its name), on whichever host it was. */
  async forDomain(
    key: { uuid: string | null; name: string },
    sinceMs = DAY_MS,
    now = Date.now(),
  ): Promise<DomainMemoryPoint[]> {
    const needle = key.uuid ?? key.name;
    const rows = await this.db.memorySample.findMany({
      where: { at: { gte: new Date(now - sinceMs) }, domainsJson: { contains: JSON.stringify(needle) } },
      orderBy: { at: "asc" },
    });
    const points: DomainMemoryPoint[] = [];
    let prev: { at: number; hostId: string; cpuSeconds?: number } | null = null;
    for (const r of rows) {
      const d = (JSON.parse(r.domainsJson) as SampledDomain[]).find((x) =>
        key.uuid ? x.uuid === key.uuid : x.name === key.name,
      );
      if (!d) continue;
      const at = r.at.getTime();
      // CPU time restarts on another host (a new domain id there): a rate only between samples on one host
      const cpu = prev && prev.hostId === r.hostId ? rate(prev.cpuSeconds, d.cpuSeconds, (at - prev.at) / 1000) : null;
      points.push({
        at: r.at.toISOString(),
        memoryMiB: d.memoryMiB,
        hostId: r.hostId,
        cpuPct: cpu === null || !d.vcpus ? null : Math.min(100, (100 * cpu) / d.vcpus),
      });
      prev = { at, hostId: r.hostId, cpuSeconds: d.cpuSeconds };
    }
    return points;
  }
}
