// A live migration's forecast under the toolstack's pre-copy policy (Clark et al.; reference §1.7):
// round 0 sends all memory, each later round what the guest dirtied meanwhile (capped by its writable
// working set), until the policy stops; then one paused round — the downtime — and the handshake.

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
}

export type Verdict = "converges" | "converges-with-help" | "will-not-converge";

export interface Forecast {
  rounds: number;
  totalMs: number;
  downtimeMs: number;
  bytes: number;
  verdict: Verdict;
  reason: string;
  perRound: { round: number; bytes: number; ms: number }[];
}

/** Xen's simple_precopy_policy: at most 5 live rounds, stop when fewer than 50 pages are dirty. */
export function forecastXen(i: ForecastInput): Forecast {
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
    if (round + 1 >= 5) {
      forced = true;
      break;
    }
  }
  const finalBytes = toSend + 256 * 1024;
  const downtimeMs = (finalBytes / i.bandwidthBps) * 1000 + i.handshakeMs;
  bytes += finalBytes;
  const totalMs = totalSec * 1000 + downtimeMs;
  const ratio = i.dirtyBps / i.bandwidthBps;
  const verdict: Verdict = !forced ? "converges" : downtimeMs <= 1000 ? "converges-with-help" : "will-not-converge";
  const reason =
    verdict === "converges"
      ? `The dirty pages fall below 50 after ${perRound.length} rounds.`
      : verdict === "converges-with-help"
        ? `Xen stops after 5 live rounds with ${(toSend / 1048576).toFixed(0)} MiB still dirty: about ${Math.round(downtimeMs)} ms of downtime. Less guest activity during the move would help.`
        : `The guest dirties ${(ratio * 100).toFixed(0)} % of the link's speed: after 5 rounds ${(toSend / 1048576).toFixed(0)} MiB are still dirty, so it would stand still for about ${(downtimeMs / 1000).toFixed(1)} s. Move it when it is quieter, or save/restore it.`;
  return { rounds: perRound.length + 1, totalMs, downtimeMs, bytes, verdict, reason, perRound };
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
    };
  };
  const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
  if (plain.converged) {
    const f = finish(plain);
    return {
      ...f,
      verdict: "converges",
      reason: `After ${plain.perRound.length} passes ${mib(plain.toSend)} remain, which fits the ${i.maxDowntimeMs} ms maximum downtime${i.autoConverge && plain.throttle ? ` (with the guest throttled to ${Math.round((1 - plain.throttle) * 100)} %)` : ""}.`,
    };
  }
  // not alone: would a higher maximum downtime (the steady state's) or auto-converge do it?
  const steadyMs = Math.ceil(((plain.toSend / i.bandwidthBps) * 1000) / 100) * 100;
  const helped = i.autoConverge ? null : qemuPasses(i, true, i.maxDowntimeMs);
  const f = finish(helped?.converged ? helped : plain);
  if (helped?.converged || steadyMs <= 5000) {
    return {
      ...f,
      verdict: "converges-with-help",
      reason: `The guest dirties ${mib(i.dirtyBps)}/s against ${mib(i.bandwidthBps)}/s: ${mib(plain.toSend)} stay dirty, more than ${i.maxDowntimeMs} ms can carry. ${helped?.converged ? "Auto-converge (throttling the guest) would let it finish" : ""}${helped?.converged && steadyMs <= 5000 ? ", or " : ""}${steadyMs <= 5000 ? `a maximum downtime of ${steadyMs} ms` : ""}.`,
    };
  }
  return {
    ...f,
    verdict: "will-not-converge",
    reason: `The guest dirties ${mib(i.dirtyBps)}/s against ${mib(i.bandwidthBps)}/s: pre-copy would not finish even throttled. Move it when it is quieter, use post-copy, or save/restore it.`,
  };
}
