// Several Ferry instances on one PostgreSQL database. Each instance holds a lease (its Instance row's seenAt,
// renewed every second with the database's clock); jobs and evacuations carry their owner's id. When an owner's
// lease lapses, a live instance claims its unfinished work in one UPDATE (row locks: two survivors cannot both
// claim a job) and closes or continues each job truthfully by asking the hosts — the restart recovery, across
// instances. One instance leads (a session-level advisory lock, released by PostgreSQL when that instance's
// connection dies) and refreshes the inventory; the others receive its picture.
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import os from "node:os";
import pg from "pg";
import { log } from "../log";

const ACTIVE_JOB = `('queued', 'checking', 'running')`;
const ACTIVE_EVACUATION = `('running', 'stopping')`;
/** the advisory lock whose holder refreshes the inventory */
const LEADER_LOCK = 7_246_012;
/** advisory locks per host (outgoing-job slots) live in their own key space */
const HOST_LOCK_SPACE = 7_246;

export interface ClusterOptions {
  /** how long an instance's lease lasts without renewal (default 5 s, FERRY_LEASE_MS) */
  leaseMs?: number;
  /** how often it is renewed, and how often orphans are looked for (default 1 s) */
  beatMs?: number;
  name?: string;
  url?: string;
  /** what to do when this instance finds its own lease lapsed (default: exit, so it never runs a job twice) */
  onLeaseLost?: () => void;
}

export interface Orphans {
  jobs: string[];
  evacuations: string[];
}

export class Cluster extends EventEmitter<{ leader: []; follower: []; orphans: [Orphans] }> {
  readonly id = randomUUID();
  readonly pool: pg.Pool;
  readonly leaseMs: number;
  readonly beatMs: number;
  readonly name: string;
  private leaderClient: pg.Client | null = null;
  private leading = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private adopting = false;

  /** From now on, each beat also claims the work of instances whose lease lapsed (call once the hosts are known). */
  adopt(): void {
    this.adopting = true;
  }

  constructor(
    private readonly url: string,
    private readonly opts: ClusterOptions = {},
  ) {
    super();
    this.pool = new pg.Pool({ connectionString: url, max: 6 });
    this.pool.on("error", (e) => log.warn({ err: e }, "cluster: a pooled connection failed"));
    this.leaseMs = opts.leaseMs ?? Number(process.env.FERRY_LEASE_MS ?? 5_000);
    this.beatMs = opts.beatMs ?? 1_000;
    this.name = opts.name ?? process.env.FERRY_INSTANCE ?? `${os.hostname()}:${process.pid}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Registers this instance (its lease starts now) and starts renewing it, leading when it can. */
  async start(): Promise<void> {
    await this.pool.query(
      `INSERT INTO "Instance" (id, name, url, "startedAt", "seenAt") VALUES ($1, $2, $3, now(), now())`,
      [this.id, this.name, this.opts.url ?? null],
    );
    await this.tryLead();
    const tick = async () => {
      await this.beat();
      if (this.closed) return;
      await this.tryLead();
      if (this.adopting)
        await this.claimOrphans().catch((e) => log.warn({ err: e }, "cluster: orphans not claimed this time"));
      if (!this.closed) this.timer = setTimeout(tick, this.beatMs);
    };
    this.timer = setTimeout(tick, this.beatMs);
  }

  /** Renews the lease; finding it already lapsed means others may have taken this instance's jobs: stop at once. */
  private async beat() {
    try {
      const r = await this.pool.query(
        `UPDATE "Instance" SET "seenAt" = now() WHERE id = $1 AND "seenAt" > now() - make_interval(secs => $2::float8 / 1000) RETURNING id`,
        [this.id, this.leaseMs],
      );
      if (r.rowCount === 0 && !this.closed) {
        log.fatal({ instance: this.id }, "cluster: this instance's lease lapsed; other instances own its jobs now");
        (this.opts.onLeaseLost ?? (() => process.exit(70)))();
      }
    } catch (e) {
      log.warn({ err: e }, "cluster: lease not renewed this second (database unreachable?)");
    }
  }

  /** Tries to take the leader's lock on a connection of its own; PostgreSQL frees it when that connection dies. */
  private async tryLead() {
    if (this.leading || this.closed) return;
    try {
      if (!this.leaderClient) {
        const c = new pg.Client({ connectionString: this.url });
        c.on("error", () => this.lostLead(c));
        c.on("end", () => this.lostLead(c));
        await c.connect();
        this.leaderClient = c;
      }
      const r = await this.leaderClient.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK]);
      if (r.rows[0]?.ok) {
        this.leading = true;
        log.info({ instance: this.name }, "cluster: this instance leads (refreshes the inventory)");
        this.emit("leader");
      }
    } catch (e) {
      if (!this.closed) log.warn({ err: e }, "cluster: could not ask for the leader's lock");
    }
  }

  private lostLead(c: pg.Client) {
    if (this.leaderClient !== c) return;
    this.leaderClient = null;
    if (this.leading) {
      this.leading = false;
      if (!this.closed) {
        log.warn("cluster: lost the leader's lock (its connection ended)");
        this.emit("follower");
      }
    }
  }

  /**
   * Claims the unfinished jobs and evacuations whose owner's lease has lapsed (or that have no owner), and frees
   * domain locks whose job has ended. Returns (and emits) what it claimed.
   */
  async claimOrphans(): Promise<Orphans> {
    const dead = `NOT EXISTS (SELECT 1 FROM "Instance" i WHERE i.id = t."ownerId" AND i."seenAt" > now() - make_interval(secs => $2::float8 / 1000))`;
    const jobs = await this.pool.query<{ id: string }>(
      `UPDATE "Job" t SET "ownerId" = $1 WHERE t.status IN ${ACTIVE_JOB} AND t."ownerId" IS DISTINCT FROM $1 AND ${dead} RETURNING t.id`,
      [this.id, this.leaseMs],
    );
    const evacuations = await this.pool.query<{ id: string }>(
      `UPDATE "Evacuation" t SET "ownerId" = $1 WHERE t.status IN ${ACTIVE_EVACUATION} AND t."ownerId" IS DISTINCT FROM $1 AND ${dead} RETURNING t.id`,
      [this.id, this.leaseMs],
    );
    await this.pool.query(
      `DELETE FROM "DomainLock" l USING "Job" j WHERE l."jobId" = j.id AND j.status NOT IN ${ACTIVE_JOB}`,
    );
    const orphans = { jobs: jobs.rows.map((r) => r.id), evacuations: evacuations.rows.map((r) => r.id) };
    if (orphans.jobs.length || orphans.evacuations.length) {
      log.info({ ...orphans, instance: this.name }, "cluster: adopted the work of an instance whose lease lapsed");
      this.emit("orphans", orphans);
    }
    return orphans;
  }

  /**
   * May `jobId` start now, with at most `max` outgoing jobs on `hostId` across every instance? Counted and marked
   * (status checking) in one transaction under an advisory lock per host, so two instances cannot both take the
   * last slot.
   */
  async hostGate(jobId: string, hostId: string, max: number): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [HOST_LOCK_SPACE, hostId]);
      const busy = await c.query<{ n: string }>(
        // the host a job's work happens on (lib/jobs/slots.ts): a restore's target, every other kind's source
        `SELECT count(*) AS n FROM "Job" WHERE (CASE WHEN kind = 'restore' AND "targetHostId" IS NOT NULL THEN "targetHostId" ELSE "sourceHostId" END) = $1 AND status IN ('checking', 'running') AND id <> $2`,
        [hostId, jobId],
      );
      const ok = Number(busy.rows[0]?.n ?? 0) < max;
      if (ok) await c.query(`UPDATE "Job" SET status = 'checking' WHERE id = $1 AND status = 'queued'`, [jobId]);
      await c.query("COMMIT");
      return ok;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  /** The instances whose lease is current. */
  async live(): Promise<{ id: string; name: string; url: string | null; seenAt: Date }[]> {
    const r = await this.pool.query(
      `SELECT id, name, url, "seenAt" FROM "Instance" WHERE "seenAt" > now() - make_interval(secs => $1::float8 / 1000) ORDER BY "startedAt"`,
      [this.leaseMs],
    );
    return r.rows;
  }

  /**
   * Stops renewing. The lease then lapses within leaseMs and the others adopt what was left unfinished; the row
   * is not deleted first, so nothing is adopted while this process may still be finishing a step.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.leaderClient;
    this.leaderClient = null;
    this.leading = false;
    await c?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
