import type { JobPhase } from "../events";

// What each line of `xl migrate`'s stderr means (xl_migrate.c; reference §1.6). xl prints no progress,
// so phases come from the handshake lines; stop-and-copy is seen by polling `xl list` (---ss-).

const PHASE_LINES: [RegExp, JobPhase][] = [
  [/^migration target: Ready to receive domain\.$/, "reservation"],
  [/^xc: info: Restoring domain$/, "precopy"],
  [/^xc: progress: Reloading memory pages: /, "precopy"],
  // the target restores only after the last, paused round: stop-and-copy has happened by now
  // (the polls usually see the suspension earlier; this line makes sure the phase is never skipped)
  [/^xc: info: Restore successful$/, "stop-and-copy"],
  [/^migration target: Transfer complete, requesting permission to start domain\.$/, "commitment"],
  [/^migration target: Got permission, starting domain\.$/, "activation"],
  [/^Migration successful\.$/, "done"],
];

/**
 * Pre-4.6 xl (legacy libxc on the receiver) passes on the target's progress through the ssh pipe:
 * "xc: progress: Reloading memory pages: 53248/131072   40%" (real output from Xen 4.4). Pages done and total.
 */
export function reloadProgressOf(line: string): { done: number; total: number; percent: number } | null {
  const m = /^xc: progress: Reloading memory pages: (\d+)\/(\d+)\s+(\d+)%/.exec(line.trim());
  return m ? { done: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) } : null;
}

/** The phase a line announces, if any. */
export function phaseOfLine(line: string): JobPhase | null {
  for (const [re, phase] of PHASE_LINES) if (re.test(line)) return phase;
  return null;
}
