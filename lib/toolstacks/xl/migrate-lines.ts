import type { JobPhase } from "../events";

// What each line of `xl migrate`'s stderr means (xl_migrate.c; reference §1.6). xl prints no progress,
// so phases come from the handshake lines; stop-and-copy is seen by polling `xl list` (---ss-).

const PHASE_LINES: [RegExp, JobPhase][] = [
  [/^migration target: Ready to receive domain\.$/, "reservation"],
  [/^xc: info: Restoring domain$/, "precopy"],
  // the target restores only after the last, paused round: stop-and-copy has happened by now
  // (the polls usually see the suspension earlier; this line makes sure the phase is never skipped)
  [/^xc: info: Restore successful$/, "stop-and-copy"],
  [/^migration target: Transfer complete, requesting permission to start domain\.$/, "commitment"],
  [/^migration target: Got permission, starting domain\.$/, "activation"],
  [/^Migration successful\.$/, "done"],
];

/** The phase a line announces, if any. */
export function phaseOfLine(line: string): JobPhase | null {
  for (const [re, phase] of PHASE_LINES) if (re.test(line)) return phase;
  return null;
}
