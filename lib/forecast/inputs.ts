import type { Db } from "../db/client";
import {
  DEFAULT_MAX_DOWNTIME_MS,
  forecastQemu,
  forecastXen,
  xenLimits,
  type Forecast,
  type ForecastInput,
  type Verdict,
} from "./model";
import type { MigrationOptions, ToolstackCapabilities } from "../toolstacks/types";
import { learnedDiskRate } from "./disk-rate";
import { finalJobInfo, learnedSetupMs, trackedDirtyBps } from "./qemu-reports";

// Where the forecast's inputs come from, said plainly: the dirty rate QEMU measures on the source (libvirt),
// else this link's and this domain's earlier migrations (xl cannot measure a dirty rate), else stated
// defaults. The policy is the toolstack's: Xen's 5 rounds, or QEMU's maximum downtime.

const DEFAULT_BPS = 125_000_000; // 1 Gbit/s
const DEFAULT_DIRTY_BPS = 10 * 1024 * 1024;
const DEFAULT_HANDSHAKE_MS = 100;

export interface ForecastWithInputs extends Forecast {
  inputs: {
    bandwidthBps: number;
    dirtyBps: number;
    wwsBytes: number;
    handshakeMs: number;
    /** where handshakeMs comes from, in words */
    handshakeFrom?: string;
    sources: string[];
    /** memory QEMU will skip as zero pages */
    zeroBytes?: number;
    /** how the dirty rate was found when it is an estimate (null: tracked by QEMU) */
    estimate?: string | null;
    /** QEMU's time beyond moving the memory, learned from earlier migrations (lib/forecast/qemu-reports.ts) */
    setupMs?: number;
    /** the disks' bytes in use that are copied first (disks the target does not see) */
    diskBytes?: number;
    /** the rate earlier moves with disks on this link copied them at (bytes/s), where there were */
    diskBps?: number;
    /** and QEMU's time before their copy began (lib/forecast/disk-rate.ts) */
    diskLeadMs?: number;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface ForecastRequest {
  domain: string;
  memoryMiB: number;
  source: string;
  target: string;
  /** what the source's toolstack can tell and which pre-copy policy it follows (default: Xen's, nothing reported) */
  capabilities?: Pick<ToolstackCapabilities, "precopyPolicy" | "reportsRounds" | "roundsSource">;
  options?: MigrationOptions;
  /** bytes/s the source measured (virsh domdirtyrate-calc), if it can */
  measureDirtyBps?: () => Promise<number | null>;
  /**
   * the hosts (ids) whose migrations it learns from: those of the source's toolstack — xm's handshake or xl's
   * link speed says nothing of libvirt's (undefined: every host's)
   */
  learnFrom?: { hostIds: string[]; label: string };
  /** bytes of the disks copied before the memory (libvirt's --copy-storage-all): sent at the link's speed first */
  diskBytes?: number;
  /** a timed transfer source → target over SSH, when this link has no migration history */
  probeLink?: () => Promise<{ bps: number; bytes: number; ms: number } | null>;
}

/** Host ids per query: SQLite takes at most 999 parameters in a statement; a cluster of 1,000 hosts has more. */
const IDS_PER_QUERY = 500;

/** The newest 200 migrations that succeeded (from the hosts of `learnFrom` only, when given). */
async function pastMigrations(db: Db, learnFrom: ForecastRequest["learnFrom"]) {
  const query = (sourceHostIds?: string[]) =>
    db.job.findMany({
      where: {
        kind: "migrate",
        status: "succeeded",
        startedAt: { not: null },
        finishedAt: { not: null },
        ...(sourceHostIds ? { sourceHostId: { in: sourceHostIds } } : {}),
      },
      orderBy: { createdAt: "desc" },
      take: 200,
    });
  if (!learnFrom) return query();
  const parts = [];
  for (let i = 0; i < learnFrom.hostIds.length; i += IDS_PER_QUERY)
    parts.push(await query(learnFrom.hostIds.slice(i, i + IDS_PER_QUERY)));
  return parts
    .flat()
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, 200);
}

export async function forecastMigration(db: Db, m: ForecastRequest): Promise<ForecastWithInputs> {
  const done = await pastMigrations(db, m.learnFrom);
  const seconds = (j: (typeof done)[number]) =>
    (j.finishedAt!.getTime() - j.startedAt!.getTime() - (j.downtimeMs ?? 0)) / 1000;
  const rate = (j: (typeof done)[number]) => Number(j.bytesSent) / Math.max(0.001, seconds(j));
  const sources: string[] = [];
  // a migration held to a bandwidth limit says nothing about the link's speed
  const uncapped = done.filter(
    (j) => Number(j.bytesSent) > 0 && !JSON.parse(j.optionsJson ?? "{}").migration?.bandwidthMiBps,
  );
  const sameWay = uncapped.filter((j) => j.sourceName === m.source && j.targetName === m.target);
  // a link carries as much one way as the other: the reverse direction's migrations count when this one has none
  const otherWay = uncapped.filter((j) => j.sourceName === m.target && j.targetName === m.source);
  const pair = sameWay.length ? sameWay : otherWay;
  const pairWords = sameWay.length ? `${m.source} → ${m.target}` : `${m.target} → ${m.source} (the same link)`;
  const fromSource = uncapped.filter((j) => j.sourceName === m.source);
  let bandwidthBps = DEFAULT_BPS;
  // libvirt: QEMU's own average bandwidth over earlier unlimited migrations on this link (Ferry's job time
  // also counts its checks and virsh's SSH set-up, so bytes ÷ job time under-reads the link)
  const reports = m.capabilities?.reportsRounds === true;
  // who counted the rounds, for the inputs' words: "QEMU", "Xen's libxc"
  const reporter = m.capabilities?.roundsSource?.split(",")[0] ?? "QEMU";
  const qemuBw = reports
    ? (await Promise.all(pair.slice(0, 5).map((j) => finalJobInfo(db, j.id))))
        .map((p) => p?.bandwidthBps ?? 0)
        .filter((b) => b > 0)
    : [];
  const probe = pair.length || !m.probeLink ? null : await m.probeLink();
  if (qemuBw.length) {
    bandwidthBps = median(qemuBw);
    sources.push(
      `link speed QEMU measured during ${qemuBw.length} earlier migration${qemuBw.length > 1 ? "s" : ""} ${pairWords}: ${(bandwidthBps / 1048576).toFixed(0)} MiB/s`,
    );
  } else if (pair.length) {
    bandwidthBps = median(pair.map(rate));
    sources.push(`link speed from ${pair.length} earlier migration${pair.length > 1 ? "s" : ""} ${pairWords}`);
  } else if (probe) {
    bandwidthBps = probe.bps;
    sources.push(
      `link speed measured: ${(probe.bytes / 1048576).toFixed(0)} MiB over SSH ${m.source} → ${m.target} in ${Math.round(probe.ms)} ms (${(probe.bps / 1048576).toFixed(0)} MiB/s)`,
    );
  } else if (fromSource.length) {
    bandwidthBps = median(fromSource.map(rate));
    sources.push(
      `link speed from ${fromSource.length} earlier migration${fromSource.length > 1 ? "s" : ""} out of ${m.source}`,
    );
  } else sources.push("link speed: default 1 Gbit/s (no earlier migration on this link)");

  const memoryBytes = m.memoryMiB * 1024 * 1024;
  const mine = done.filter((j) => j.domainName === m.domain && Number(j.bytesSent) > 0);
  let dirtyBps = DEFAULT_DIRTY_BPS;
  let wwsBytes = memoryBytes / 16;
  /** how the dirty rate was found, when it is only an estimate (null: QEMU tracked every write) */
  let estimate: string | null = "a default";
  if (mine.length) {
    // what pre-copy resent beyond the memory is what the guest dirtied; round 0 lasted memory ÷ link speed
    const excess = median(mine.map((j) => Math.max(0, Number(j.bytesSent) - j.memoryMiB * 1024 * 1024)));
    const t0 = memoryBytes / median(mine.map(rate));
    dirtyBps = Math.max(1, excess / Math.max(0.001, t0));
    wwsBytes = Math.min(memoryBytes, Math.max(4096, excess));
    estimate = "learned from the bytes earlier migrations resent";
    sources.push(
      `dirty rate learned from ${mine.length} earlier migration${mine.length > 1 ? "s" : ""} of ${m.domain}`,
    );
  }
  // QEMU's own dirty-page tracking during this domain's last migration beats any estimate: it sees every
  // write, where page sampling (below) misses rewrites of identical data
  const tracked = reports && mine.length ? await trackedDirtyBps(db, mine[0].id) : null;
  // QEMU sends zero pages as a marker only: its last migration of this domain says how many there were
  const last = reports && mine.length ? await finalJobInfo(db, mine[0].id) : null;
  const zeroBytes = last?.zeroPages ? Math.min(memoryBytes * 0.95, last.zeroPages * (last.pageSize ?? 4096)) : 0;
  const measured = tracked === null && m.measureDirtyBps ? await m.measureDirtyBps() : null;
  if (tracked !== null) {
    dirtyBps = Math.max(1, tracked);
    estimate = null;
    sources.push(
      `dirty rate ${reporter} tracked during the last migration of ${m.domain}: ${(tracked / 1048576).toFixed(1)} MiB/s`,
    );
  } else if (measured !== null) {
    dirtyBps = Math.max(1, measured);
    // what it dirties in one second is at least its working set's size
    wwsBytes = Math.min(memoryBytes, Math.max(wwsBytes, measured));
    estimate = "page sampling, which misses rewrites of the same data";
    sources.push(
      `dirty rate measured now on ${m.source}: ${(measured / 1048576).toFixed(1)} MiB/s (virsh domdirtyrate-calc, page sampling)`,
    );
  } else if (!mine.length)
    sources.push(
      `dirty rate: default 10 MiB/s and a working set of 1/16 of memory (${m.measureDirtyBps ? "the source could not measure it" : "this toolstack cannot measure it"})`,
    );
  const downs = done.map((j) => j.downtimeMs).filter((d): d is number => d !== null);
  const handshakeMs = downs.length ? Math.max(10, Math.min(...downs)) : DEFAULT_HANDSHAKE_MS;
  const among = m.learnFrom ? ` among ${m.learnFrom.label} migrations` : "";
  sources.push(
    downs.length
      ? `handshake from the shortest downtime seen so far${among}`
      : `handshake: default 100 ms (no downtime seen yet${among})`,
  );
  const handshakeFrom = downs.length ? `the shortest downtime seen${among}` : "a default: no downtime seen yet";
  const input = { memoryBytes, dirtyBps, wwsBytes, bandwidthBps, handshakeMs, handshakeFrom };
  const qemu = m.capabilities?.precopyPolicy === "qemu";
  const maxDowntimeMs = m.options?.maxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS;
  const limited = m.options?.bandwidthMiBps ? Math.min(bandwidthBps, m.options.bandwidthMiBps * 1048576) : bandwidthBps;
  const model = (x: ForecastInput) =>
    qemu
      ? forecastQemu({
          ...x,
          bandwidthBps: limited,
          maxDowntimeMs,
          autoConverge: m.options?.autoConverge === true,
          zeroBytes,
        })
      : forecastXen({
          ...x,
          maxDowntimeMs,
          limits: xenLimits[m.capabilities?.precopyPolicy === "xen-legacy" ? "xen-legacy" : "xen"],
        });
  if (qemu) {
    if (m.options?.bandwidthMiBps) sources.push(`bandwidth limited to ${m.options.bandwidthMiBps} MiB/s`);
    sources.push(
      `QEMU's policy: stop when the rest fits ${maxDowntimeMs} ms${m.options?.autoConverge ? ", auto-converge on" : ""}`,
    );
    if (zeroBytes)
      sources.push(
        `${(zeroBytes / 1048576).toFixed(0)} MiB of zero pages QEMU skipped in the last migration of ${m.domain}`,
      );
  } else {
    const l = xenLimits[m.capabilities?.precopyPolicy === "xen-legacy" ? "xen-legacy" : "xen"];
    sources.push(
      `Xen's policy: at most ${l.rounds} live rounds${Number.isFinite(l.factor) ? ` or ${l.factor}× the memory sent` : ""}, then stop; judged against a ${maxDowntimeMs} ms maximum downtime`,
    );
  }
  let f: Forecast = model(input);
  if (estimate) f = widen(f, model, input, estimate);
  // the disks' copy at the rate earlier moves with disks on this link copied at, where there were (slower than the link)
  // (both directions of the link, newest first: one move says little, the lab's copies varied by a third)
  const bothWays = uncapped.filter((j) => sameWay.includes(j) || otherWay.includes(j));
  const learnedDisk = m.diskBytes
    ? await learnedDiskRate(
        db,
        bothWays.map((j) => j.id),
      )
    : null;
  if (m.diskBytes) {
    f = withDiskCopy(
      f,
      m.diskBytes,
      Math.min(limited, learnedDisk?.bps ?? Number.POSITIVE_INFINITY),
      learnedDisk?.leadMs ?? 0,
    );
    const ms = f.diskCopy!.ms;
    const mib = (m.diskBytes / 1048576).toFixed(0);
    const lead = learnedDisk?.leadMs ? `, after about ${(learnedDisk.leadMs / 1000).toFixed(1)} s of set-up` : "";
    sources.push(
      learnedDisk
        ? `disks copied first: ${mib} MiB in use at ${(learnedDisk.bps / 1048576).toFixed(0)} MiB/s${lead}, the median of ${learnedDisk.moves} earlier move${learnedDisk.moves > 1 ? "s" : ""} with disks between ${m.source} and ${m.target}: about ${(ms / 1000).toFixed(1)} s`
        : `disks copied first: ${mib} MiB in use, at the link's speed about ${(ms / 1000).toFixed(1)} s (no earlier move with disks on this link)`,
    );
  }
  // QEMU's time beyond the memory (setting up the target, connecting): this link's earlier migrations, else any.
  // A learned disk copy holds it already (its lead before the copy began, or a rate over QEMU's elapsed time).
  const linkJobs = done.filter(
    (j) =>
      (j.sourceName === m.source && j.targetName === m.target) ||
      (j.sourceName === m.target && j.targetName === m.source),
  );
  const setup =
    qemu && reports && !learnedDisk
      ? await learnedSetupMs(
          db,
          (linkJobs.length ? linkJobs : done).map((j) => j.id),
        )
      : null;
  if (setup) {
    f = withSetup(f, setup.ms);
    sources.push(
      `set-up beyond the memory: ${Math.round(setup.ms)} ms, the median of ${setup.moves} earlier migration${setup.moves > 1 ? "s" : ""}${linkJobs.length ? " on this link" : ` among ${m.learnFrom?.label ?? "all"} migrations`} (QEMU's elapsed time less its memory at its bandwidth and its downtime)`,
    );
  }
  return {
    ...f,
    inputs: {
      bandwidthBps,
      dirtyBps,
      wwsBytes,
      handshakeMs,
      handshakeFrom,
      sources,
      zeroBytes,
      estimate,
      ...(setup ? { setupMs: setup.ms } : {}),
      ...(m.diskBytes ? { diskBytes: m.diskBytes } : {}),
      ...(learnedDisk ? { diskBps: learnedDisk.bps, diskLeadMs: learnedDisk.leadMs } : {}),
    },
  };
}

/**
 * The same domain's forecast again at another bandwidth (a link shared by several moves), with the inputs
 * a forecastMigration already found: the evacuation planner weighs concurrency with it.
 */
export function forecastAt(
  f: Pick<ForecastWithInputs, "inputs">,
  memoryMiB: number,
  policy: ToolstackCapabilities["precopyPolicy"],
  options: MigrationOptions | undefined,
  bandwidthBps: number,
): Forecast {
  const i = f.inputs;
  const input = {
    memoryBytes: memoryMiB * 1048576,
    dirtyBps: i.dirtyBps,
    wwsBytes: i.wwsBytes,
    bandwidthBps,
    handshakeMs: i.handshakeMs,
    handshakeFrom: i.handshakeFrom,
  };
  const maxDowntimeMs = options?.maxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS;
  const model = (x: ForecastInput) =>
    policy === "qemu"
      ? forecastQemu({
          ...x,
          bandwidthBps: options?.bandwidthMiBps
            ? Math.min(x.bandwidthBps, options.bandwidthMiBps * 1048576)
            : x.bandwidthBps,
          maxDowntimeMs,
          autoConverge: options?.autoConverge === true,
          zeroBytes: i.zeroBytes,
        })
      : forecastXen({ ...x, maxDowntimeMs, limits: xenLimits[policy === "xen-legacy" ? "xen-legacy" : "xen"] });
  const base = model(input);
  const widened = i.estimate ? widen(base, model, input, i.estimate) : base;
  const at = i.setupMs ? withSetup(widened, i.setupMs) : widened;
  // the disks copied first, at this bandwidth too (the link's share, under the migration's limit)
  const limited = options?.bandwidthMiBps ? Math.min(bandwidthBps, options.bandwidthMiBps * 1048576) : bandwidthBps;
  return i.diskBytes
    ? withDiskCopy(at, i.diskBytes, Math.min(limited, i.diskBps ?? Number.POSITIVE_INFINITY), i.diskLeadMs ?? 0)
    : at;
}

const rank: Record<Verdict, number> = {
  converges: 0,
  "may-not-converge": 1,
  "converges-with-help": 2,
  "will-not-converge": 3,
};

/**
 * When the dirty rate is an estimate, the forecast carries its pessimistic side: the same migration if the
 * guest dirties twice as much (at least the 10 MiB/s default). A verdict that would not hold then is
 * not promised: "converges" becomes "may not converge", with the help that would cover it.
 */
export function widen(
  f: Forecast,
  model: (x: ForecastInput) => Forecast,
  input: ForecastInput,
  estimate: string,
): Forecast {
  const dirtyBps = Math.max(2 * input.dirtyBps, DEFAULT_DIRTY_BPS);
  const worse = model({
    ...input,
    dirtyBps,
    wwsBytes: Math.min(input.memoryBytes, Math.max(2 * input.wwsBytes, dirtyBps)),
  });
  const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
  const rate = `${(dirtyBps / 1048576).toFixed(0)} MiB/s`;
  const why =
    rank[worse.verdict] > rank[f.verdict]
      ? `The dirty rate is an estimate (${estimate}): at ${rate} it would ${worse.verdict === "will-not-converge" ? "not converge" : "converge only with help"} (about ${secs(worse.totalMs)}, downtime ${secs(worse.downtimeMs)}).`
      : `The dirty rate is an estimate (${estimate}): at ${rate} it would take about ${secs(worse.totalMs)}, downtime ${secs(worse.downtimeMs)}.`;
  const band = { totalMs: worse.totalMs, downtimeMs: worse.downtimeMs, verdict: worse.verdict, dirtyBps, why };
  if (f.verdict === "converges" && rank[worse.verdict] >= rank["converges-with-help"])
    return { ...f, verdict: "may-not-converge", reason: `${f.reason} ${why}`, help: worse.help, band };
  return { ...f, band };
}

/** A forecast with QEMU's time beyond the memory added to its duration (not to its downtime). */
function withSetup(f: Forecast, ms: number): Forecast {
  return { ...f, totalMs: f.totalMs + ms, ...(f.band ? { band: { ...f.band, totalMs: f.band.totalMs + ms } } : {}) };
}

/**
 * A forecast with its disks copied first: QEMU mirrors the disks before the memory's first round, after its set-up
 * (`leadMs`); the guest runs on meanwhile and what it writes to a disk is mirrored too (not modelled: a guest that
 * writes its disks hard takes longer).
 */
function withDiskCopy(f: Forecast, diskBytes: number, bps: number, leadMs: number): Forecast {
  const ms = Math.round(leadMs + (diskBytes / bps) * 1000);
  return {
    ...f,
    totalMs: f.totalMs + ms,
    diskCopy: { bytes: diskBytes, ms },
    ...(f.band ? { band: { ...f.band, totalMs: f.band.totalMs + ms } } : {}),
  };
}
