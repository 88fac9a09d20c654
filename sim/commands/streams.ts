import type { World } from "../world";
import { archiveBytes } from "./tar";

// What a simulated pipe carries stands for more bytes than it holds where holding them would cost the simulator
// the time it is meant to simulate: a tar archive is a record of its file (tar.ts), and `head -c N /dev/zero` is a
// record of N zeros rather than N characters built and copied through the pipeline (32 MiB of them for the link
// probe, lib/forecast/link-probe.ts, whose timing the copying would otherwise slow by a share that grows with the
// machine's load). Only the commands that time or count a stream (ssh, wc -c) read these records; anything else
// that would read the zeros' bytes is not simulated.

const ZEROS = "ferry-sim-zeros/1 ";

/** `head -c n /dev/zero`'s output. */
export const zeros = (n: number) => `${ZEROS}${n}`;

/** The bytes a stream stands for: zeros' count, a simulated archive's GNU tar size, anything else its own length. */
export function streamBytes(stream: string): number {
  if (stream.startsWith(ZEROS)) return Number(stream.slice(ZEROS.length));
  return archiveBytes(stream) ?? Buffer.byteLength(stream, "latin1");
}

/** Steps in which a transfer arrives: what has arrived is visible on the target while the rest is on its way. */
const STEPS = 20;

/**
 * Carries `bytes` from one host to the other at their link's bandwidth (scaled by the world's time scale), telling
 * `arrived` after each step how many have arrived, and charges both hosts' counters.
 */
export async function carry(
  world: World,
  from: string,
  to: string,
  bytes: number,
  arrived?: (bytes: number) => void,
): Promise<void> {
  const ms = ((bytes / world.bandwidth(from, to)) * 1000) / world.timeScale;
  const steps = arrived ? STEPS : 1;
  for (let k = 1; k <= steps; k++) {
    await new Promise((r) => setTimeout(r, ms / steps));
    arrived?.(Math.round((bytes * k) / steps));
  }
  world.host(from).txBytes += bytes;
  world.host(to).rxBytes += bytes;
}
