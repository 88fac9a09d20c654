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
