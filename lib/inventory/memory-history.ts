// Memory over time: what each host had free and what each guest domain held, sampled from the inventory's
// own refreshes (no extra SSH traffic) at most once a minute per host, kept for a week. The host page draws
// the host's series; the domain page draws the domain's, across the hosts it ran on.
import type { Db } from "../db/client";
import type { HostView } from "./types";
import type { Inventory } from "./inventory";

export interface HostMemoryPoint {
  at: string;
  freeMiB: number;
  totalMiB: number;
  /** the guests' memory at that moment */
  guestsMiB: number;
}

export interface DomainMemoryPoint {
  at: string;
  memoryMiB: number;
  hostId: string;
}

interface SampledDomain {
  uuid: string | null;
  name: string;
  memoryMiB: number;
}

export const DAY_MS = 24 * 3600_000;

export class MemoryHistory {
  private readonly last = new Map<string, number>();
  private lastPrune = 0;
  private readonly everyMs: number;
  private readonly keepMs: number;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    opts: { everyMs?: number; keepMs?: number } = {},
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
      .map((d) => ({ uuid: d.uuid, name: d.name, memoryMiB: d.memoryMiB }));
    await this.db.memorySample.create({
      data: {
        hostId: view.id,
        at: new Date(now),
        freeMiB: view.facts.freeMemoryMiB,
        totalMiB: view.facts.totalMemoryMiB,
        domainsJson: JSON.stringify(domains),
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
    return rows.map((r) => ({
      at: r.at.toISOString(),
      freeMiB: r.freeMiB,
      totalMiB: r.totalMiB,
      guestsMiB: (JSON.parse(r.domainsJson) as SampledDomain[]).reduce((s, d) => s + d.memoryMiB, 0),
    }));
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
    for (const r of rows) {
      const d = (JSON.parse(r.domainsJson) as SampledDomain[]).find((x) =>
        key.uuid ? x.uuid === key.uuid : x.name === key.name,
      );
      if (d) points.push({ at: r.at.toISOString(), memoryMiB: d.memoryMiB, hostId: r.hostId });
    }
    return points;
  }
}
