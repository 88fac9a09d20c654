// A live migration's forecast under the toolstack's pre-copy policy (Clark et al.; reference §1.7):
// round 0 sends all memory, each later round what the guest dirtied meanwhile (capped by its writable
// working set), until the policy stops; then one paused round — the downtime — and the handshake.

import { count } from "../format";

export const PAGE = 4096;

export interface ForecastInput {
  memoryBytes: number;
  /** bytes/s the guest dirties, and the set it keeps rewriting */
  dirtyBps: number;
  wwsBytes: number;
  /** bytes/s the link carries toward the target */
  bandwidthBps: number;
  /** fixed cost of the handshake and activation, measured or defaulted */
  handshakeMs: number;
  /** where handshakeMs comes from, in the reason's words ("the shortest downtime seen", "a default") */
  handshakeFrom?: string;
}

/**
 * converges: finishes within the maximum downtime; converges-with-help: only with the help it names (an option
 * to choose, or less guest activity); may-not-converge: converges as estimated, but not if the guest dirties
 * more than the (uncertain) estimate says; will-not-converge: not even with help.
 */
export type Verdict = "converges" | "converges-with-help" | "may-not-converge" | "will-not-converge";

/** The downtime a migration is judged against when the operator sets none: QEMU's own default. */
export const DEFAULT_MAX_DOWNTIME_MS = 300;

/** What would make a migration converge that the operator can choose at launch (QEMU). */
export interface ForecastHelp {
  autoConverge?: true;
  maxDowntimeMs?: number;
}

export interface Forecast {
  rounds: number;
  totalMs: number;
  downtimeMs: number;
  bytes: number;
  verdict: Verdict;
  reason: string;
  perRound: { round: number; bytes: number; ms: number }[];
  /** the maximum downtime the verdict was judged against */
  maxDowntimeMs?: number;
  /** the options that would make it converge (pre-selected by the dialog) */
  help?: ForecastHelp;
  /** disks copied before the memory (a live migration with its disks): bytes and time, included in totalMs */
  diskCopy?: { bytes: number; ms: number };
  /** the pessimistic side when the dirty rate is an estimate: the same migration if the guest dirties more */
  band?: { totalMs: number; downtimeMs: number; verdict: Verdict; dirtyBps: number; why: string };
}

/**
 * A maximum downtime that lets QEMU stop the guest at the next sync: a tenth above what the last pass would
 * carry, rounded up to 100 ms. The dialog's forecast and the job page's advice both use this one rule.
 */
export function suggestMaxDowntimeMs(expectedMs: number): number {
  return Math.max(100, Math.ceil((expectedMs * 1.1) / 100) * 100);
}

const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * Xen's simple_precopy_policy: at most 5 live rounds, stop when fewer than 50 pages are dirty. Xen always
 * stops then; the verdict says whether the stop it forces fits the maximum downtime (default 300 ms).
 */
/**
 * Xen's pre-copy limits: libxenguest's migration v2 (xl, Xen ≥ 4.6) stops after 5 live rounds; legacy libxc
 * (xend's xc_save; xc_domain_save.c: DEF_MAX_ITERS 29, DEF_MAX_FACTOR 3) after 29 rounds or 3× the memory sent.
 */
export const xenLimits = {
  xen: { rounds: 5, factor: Number.POSITIVE_INFINITY },
  "xen-legacy": { rounds: 29, factor: 3 },
} as const;

export function forecastXen(
  i: ForecastInput & { maxDowntimeMs?: number; limits?: { rounds: number; factor: number } },
): Forecast {
  const maxDowntimeMs = i.maxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS;
  const limits = i.limits ?? xenLimits.xen;
  const perRound: Forecast["perRound"] = [];
  let toSend = i.memoryBytes;
  let totalSec = 0;
  let bytes = 0;
  let forced = false;
  for (let round = 0; ; round++) {
    const sec = toSend / i.bandwidthBps;
    perRound.push({ round, bytes: toSend, ms: sec * 1000 });
    totalSec += sec;
    bytes += toSend;
    const dirtied = Math.min(i.wwsBytes, i.dirtyBps * sec);
    toSend = Math.ceil(dirtied / PAGE) * PAGE;
    if (dirtied / PAGE < 50) break;
    if (round + 1 >= limits.rounds || bytes > limits.factor * i.memoryBytes) {
      forced = true;
      break;
    }
  }
  const finalBytes = toSend + 256 * 1024;
  const downtimeMs = (finalBytes / i.bandwidthBps) * 1000 + i.handshakeMs;
  bytes += finalBytes;
  const totalMs = totalSec * 1000 + downtimeMs;
  const ratio = i.dirtyBps / i.bandwidthBps;
  const fits = downtimeMs <= maxDowntimeMs;
  const verdict: Verdict =
    !forced || fits
      ? "converges"
      : downtimeMs <= Math.max(1000, maxDowntimeMs)
        ? "converges-with-help"
        : "will-not-converge";
  const dirty = `${(toSend / 1048576).toFixed(toSend < 10 * 1048576 ? 1 : 0)} MiB`;
  const stops = `Xen stops after ${count(perRound.length, "live round")}`;
  const reason = !forced
    ? `The dirty pages fall below 50 after ${count(perRound.length, "round")}.`
    : verdict === "converges"
      ? `${stops} with ${dirty} still dirty: about ${secs(downtimeMs)} of downtime, within the ${maxDowntimeMs} ms maximum.`
      : verdict === "converges-with-help"
        ? `${stops} with ${dirty} still dirty: about ${secs(downtimeMs)} of downtime, over the ${maxDowntimeMs} ms maximum. Less guest activity during the move would help.`
        : `The guest dirties ${(ratio * 100).toFixed(0)} % of the link's speed: after ${count(perRound.length, "round")} ${dirty} are still dirty, so it would stand still for about ${secs(downtimeMs)}. Move it when it is quieter, or save/restore it.`;
  return { rounds: perRound.length + 1, totalMs, downtimeMs, bytes, verdict, reason, perRound, maxDowntimeMs };
}

export interface QemuForecastInput extends ForecastInput {
  /** migrate-setmaxdowntime (QEMU's default 300 ms) */
  maxDowntimeMs: number;
  autoConverge: boolean;
  /** memory QEMU will find zero and skip on the first pass (learned from the domain's last migration) */
  zeroBytes?: number;
}

const MAX_PASSES = 60;

/** QEMU's pre-copy: passes until what is left ÷ bandwidth fits the maximum downtime; auto-converge throttles. */
function qemuPasses(i: QemuForecastInput, autoConverge: boolean, maxDowntimeMs: number) {
  const perRound: Forecast["perRound"] = [];
  let toSend = Math.max(PAGE, i.memoryBytes - (i.zeroBytes ?? 0));
  let totalSec = 0;
  let bytes = 0;
  let throttle = 0;
  let last = Infinity;
  for (let round = 1; round <= MAX_PASSES; round++) {
    const sec = toSend / i.bandwidthBps;
    perRound.push({ round, bytes: toSend, ms: sec * 1000 });
    totalSec += sec;
    bytes += toSend;
    toSend = Math.min(i.wwsBytes, i.dirtyBps * (1 - throttle) * sec);
    if ((toSend / i.bandwidthBps) * 1000 <= maxDowntimeMs)
      return { converged: true, perRound, totalSec, bytes, toSend, throttle };
    if (autoConverge && round >= 2 && toSend > last * 0.9) throttle = throttle ? Math.min(0.99, throttle + 0.1) : 0.2;
    last = toSend;
  }
  return { converged: false, perRound, totalSec, bytes, toSend, throttle };
}

export function forecastQemu(i: QemuForecastInput): Forecast {
  const plain = qemuPasses(i, i.autoConverge, i.maxDowntimeMs);
  const finish = (p: ReturnType<typeof qemuPasses>) => {
    const finalBytes = p.toSend + 256 * 1024;
    const downtimeMs = (finalBytes / i.bandwidthBps) * 1000 + i.handshakeMs;
    return {
      downtimeMs,
      totalMs: p.totalSec * 1000 + downtimeMs,
      bytes: p.bytes + finalBytes,
      rounds: p.perRound.length + 1,
      perRound: p.perRound,
      maxDowntimeMs: i.maxDowntimeMs,
    };
  };
  const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
  if (plain.converged) {
    const f = finish(plain);
    // QEMU stops once the last pass fits the maximum; switching over (the handshake) comes on top of it
    const over =
      f.downtimeMs > i.maxDowntimeMs
        ? ` Switching over adds about ${secs(i.handshakeMs)} (${i.handshakeFrom ?? "estimated"}), so the guest stands still about ${secs(f.downtimeMs)}: more than the ${i.maxDowntimeMs} ms maximum.`
        : "";
    return {
      ...f,
      verdict: "converges",
      reason: `After ${count(plain.perRound.length, "pass", "passes")} ${mib(plain.toSend)} remain, which QEMU can send within the ${i.maxDowntimeMs} ms maximum downtime${i.autoConverge && plain.throttle ? ` (with the guest throttled to ${Math.round((1 - plain.throttle) * 100)} %)` : ""}.${over}`,
    };
  }
  // not alone: would auto-converge (throttling the guest) or a higher maximum downtime (the steady state's) do it?
  const suggestedMs = suggestMaxDowntimeMs((plain.toSend / i.bandwidthBps) * 1000);
  const helped = i.autoConverge ? null : qemuPasses(i, true, i.maxDowntimeMs);
  const byDowntime = suggestedMs <= 5000;
  if (helped?.converged || byDowntime) {
    // a short stop is gentler than throttling the guest for the whole migration
    const help: ForecastHelp =
      helped?.converged && !(byDowntime && suggestedMs <= 1000)
        ? { autoConverge: true }
        : { maxDowntimeMs: suggestedMs };
    const f = finish(help.autoConverge && helped ? helped : qemuPasses(i, i.autoConverge, suggestedMs));
    const ways = [
      helped?.converged ? "auto-converge (throttling the guest)" : null,
      byDowntime ? `a maximum downtime of ${suggestedMs} ms` : null,
    ].filter(Boolean);
    return {
      ...f,
      verdict: "converges-with-help",
      help,
      reason: `The guest dirties ${mib(i.dirtyBps)}/s against ${mib(i.bandwidthBps)}/s: ${mib(plain.toSend)} stay dirty, more than ${i.maxDowntimeMs} ms can carry. It finishes with ${ways.join(" or ")}; the figures assume ${help.autoConverge ? "auto-converge" : `${suggestedMs} ms`}.`,
    };
  }
  return {
    ...finish(plain),
    verdict: "will-not-converge",
    reason: `The guest dirties ${mib(i.dirtyBps)}/s against ${mib(i.bandwidthBps)}/s: pre-copy would not finish even throttled. Move it when it is quieter, use post-copy, or save/restore it.`,
  };
}

/**
 * |forecast − actual| ÷ actual, for duration and downtime. A downtime known only as an upper bound (xl's, when
 * the suspend was not seen) has no error to compute: null, and `downtimeBounded` says why.
 */
export function forecastError(
  f: Pick<Forecast, "totalMs" | "downtimeMs">,
  actual: { durationMs: number | null; downtimeMs: number | null; downtimeBound?: boolean | null },
) {
  const rel = (p: number, a: number | null) => (a && a > 0 ? Math.abs(p - a) / a : null);
  return {
    duration: rel(f.totalMs, actual.durationMs),
    downtime: actual.downtimeBound ? null : rel(f.downtimeMs, actual.downtimeMs),
    downtimeBounded: actual.downtimeBound === true && actual.downtimeMs !== null,
  };
}
