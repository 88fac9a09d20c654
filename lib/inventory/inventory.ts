import { EventEmitter } from "node:events";
import { toAppError } from "../errors";
import type { SshPool } from "../ssh/pool";
import type { SshConnection } from "../ssh/connection";
import { drivers } from "../toolstacks";
import type { HostRecord, HostView } from "./types";
import { onlyClocksMoved } from "./clocks";

/** every FULL_EVERY-th refresh of a host re-reads all of its domains' configuration (≈ a minute at 5 s) */
const FULL_EVERY = 12;

export interface InventoryEvents {
  /** every view, after every refresh; `changed`: it differs from the one before in more than its clocks (./clocks.ts) */
  host: [view: HostView, changed: boolean];
  removed: [string];
  refreshed: [{ at: string; ms: number }];
}

/**
 * The current picture of every host. Refreshes all hosts in parallel on a timer (default 5 s) and
 * on demand; emits a host's whole view after each refresh, saying whether more than its clocks changed. A host that stops answering turns
 * unreachable with the reason and keeps its last domains, marked stale, until it answers again.
 */
export class Inventory extends EventEmitter<InventoryEvents> {
  private readonly views = new Map<string, HostView>();
  private readonly inFlight = new Map<string, Promise<HostView>>();
  private readonly queued = new Map<string, Promise<HostView>>();
  private readonly refreshes = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private refreshed: { at: string; ms: number } | null = null;

  constructor(
    private readonly pool: SshPool,
    readonly intervalMs = 5_000,
  ) {
    super();
  }

  snapshot(): HostView[] {
    return [...this.views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** When the last whole refresh ended and how long it took (null before the first): pages render it as sent */
  lastRefresh(): { at: string; ms: number } | null {
    return this.refreshed;
  }

  get(id: string): HostView | undefined {
    return this.views.get(id);
  }

  connection(rec: HostRecord): SshConnection {
    return this.pool.get(rec.id, rec.name, {
      address: rec.address,
      port: rec.port,
      user: rec.user,
      fingerprint: rec.fingerprint,
      auth: rec.authMethod === "agent" ? { kind: "agent" } : { kind: "key", keyPath: rec.keyPath ?? "" },
    });
  }

  /** Adds or updates a host (from the database); its first refresh starts at once. */
  upsert(rec: HostRecord): void {
    const prev = this.views.get(rec.id);
    const { capabilities, label: toolstackLabel } = drivers[rec.toolstack];
    const view: HostView = prev
      ? { ...prev, ...rec, capabilities, toolstackLabel }
      : {
          ...rec,
          status: "connecting",
          reason: null,
          errorCode: null,
          facts: null,
          domains: [],
          stale: false,
          lastSeenAt: null,
          refreshMs: null,
          capabilities,
          toolstackLabel,
        };
    this.views.set(rec.id, view);
    this.emit("host", view, true);
    void this.refreshHost(rec.id);
  }

  remove(id: string): void {
    if (!this.views.delete(id)) return;
    this.refreshes.delete(id);
    this.pool.remove(id);
    this.emit("removed", id);
  }

  /**
   * Several instances: a host's view as another instance refreshed it (the leader's timer, or a refresh a job asked
   * for there). Taken as it is — no refresh here, no "host" event (the browsers had it from that instance).
   */
  applyRemote(view: HostView): void {
    const mine = this.views.get(view.id);
    // a view older than the one held (two refreshes crossing) is not taken
    if (mine?.lastSeenAt && view.lastSeenAt && mine.lastSeenAt > view.lastSeenAt && mine.status === view.status) return;
    this.views.set(view.id, view);
  }

  /** Several instances: another instance removed the host. */
  removeRemote(id: string): void {
    if (!this.views.delete(id)) return;
    this.refreshes.delete(id);
    this.pool.remove(id);
  }

  get started(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    const tick = async () => {
      await this.refreshAll().catch(() => {});
      if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the timer, keeps the connections (several instances: another one leads now). */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pool.closeAll();
  }

  /** Refreshes every host in parallel; a call during a refresh joins it. */
  async refreshAll(): Promise<{ ms: number }> {
    if (this.running) {
      await this.running;
    }
    const t0 = performance.now();
    const all = Promise.all([...this.views.keys()].map((id) => this.refreshHost(id)));
    this.running = all;
    try {
      await all;
    } finally {
      this.running = null;
    }
    const ms = performance.now() - t0;
    this.refreshed = { at: new Date().toISOString(), ms };
    this.emit("refreshed", this.refreshed);
    return { ms };
  }

  /**
   * Refreshes one host; what it returns was read after the call. A call while a refresh of the host is under way
   * does not join it (that one may have read the host before whatever the caller just did): it waits for it and
   * shares the one refresh that starts next with every other caller that came meanwhile.
   */
  refreshHost(id: string): Promise<HostView> {
    const queued = this.queued.get(id);
    if (queued) return queued;
    const running = this.inFlight.get(id);
    if (running) {
      const next = running
        .catch(() => undefined)
        .then(() => {
          this.queued.delete(id);
          return this.refreshHost(id);
        });
      this.queued.set(id, next);
      return next;
    }
    const p = this.doRefresh(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  private async doRefresh(id: string): Promise<HostView> {
    const before = this.views.get(id);
    if (!before) throw new Error(`unknown host ${id}`);
    const t0 = performance.now();
    let next: HostView;
    try {
      // a domain's configuration (uuid, disks) is re-read when a new domain appears, and in full once a minute
      const n = this.refreshes.get(id) ?? 0;
      this.refreshes.set(id, n + 1);
      const steady = before.status === "online" && !before.stale;
      const snap = await drivers[before.toolstack].snapshot(this.connection(before), {
        withCpuFlags: before.status !== "online",
        previous: before.facts ?? undefined,
        imageDir: before.imageDir,
        previousDomains: steady ? before.domains : undefined,
        previousAt: steady ? (before.lastSeenAt ?? undefined) : undefined,
        full: n % FULL_EVERY === 0,
      });
      // the record as it is now: an upsert during the refresh (maintenance turned off, say) must not be undone
      next = {
        ...(this.views.get(id) ?? before),
        status: "online",
        reason: null,
        errorCode: null,
        facts: snap.facts,
        domains: snap.domains,
        stale: false,
        lastSeenAt: new Date().toISOString(),
        refreshMs: Math.round(performance.now() - t0),
      };
    } catch (e) {
      const err = toAppError(e);
      next = {
        ...(this.views.get(id) ?? before),
        status: "unreachable",
        reason: err.message,
        errorCode: err.code,
        stale: before.domains.length > 0,
        refreshMs: null,
      };
    }
    const held = this.views.get(id);
    if (!held) return next; // removed meanwhile
    this.views.set(id, next);
    this.emit("host", next, !onlyClocksMoved(held, next));
    return next;
  }
}
