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
    if (round + 1 >= 5) { forced = true; break; }
  }
  const finalBytes = toSend + 256 * 1024;
  const downtimeMs = (finalBytes / i.bandwidthBps) * 1000 + i.handshakeMs;
  bytes += finalBytes;
  const totalMs = totalSec * 1000 + downtimeMs;
  const ratio = i.dirtyBps / i.bandwidthBps;
  const verdict: Verdict = !forced ? "converges" : downtimeMs <= 1000 ? "converges-with-help" : "will-not-converge";
  const reason = verdict === "converges"
    ? `The dirty pages fall below 50 after ${perRound.length} rounds.`
    : verdict === "converges-with-help"
      ? `Xen stops after 5 live rounds with ${(toSend / 1048576).toFixed(0)} MiB still dirty: about ${Math.round(downtimeMs)} ms of downtime. Less guest activity during the move would help.`
      : `The guest dirties ${(ratio * 100).toFixed(0)} % of the link's speed: after 5 rounds ${(toSend / 1048576).toFixed(0)} MiB are still dirty, so it would stand still for about ${(downtimeMs / 1000).toFixed(1)} s. Move it when it is quieter, or save/restore it.`;
  return { rounds: perRound.length + 1, totalMs, downtimeMs, bytes, verdict, reason, perRound };
}
