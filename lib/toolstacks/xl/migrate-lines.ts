import type { ErrorCode } from "../../errors";
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

const ERROR_LINES: [RegExp, ErrorCode, string][] = [
  [/Could not resolve hostname/, "migrate_target_unknown", "The source host cannot resolve the target's name."],
  [/ssh: connect to host .* Connection refused|Connection timed out|No route to host/, "migrate_target_unreachable", "The source host cannot reach the target over SSH."],
  [/cannot allocate memory|Domain creation failed/, "migrate_target_oom", "The target could not reserve memory for the domain."],
  [/Broken pipe|Connection reset|file\/stream truncated/, "migrate_link_lost", "The migration stream between the hosts broke."],
  [/Target reports startup failure/, "migrate_target_start_failed", "The target could not start the domain; it was resumed on the source."],
  [/Migration failed during final handshake|Domain state is now undefined/, "migrate_handshake_lost", "The link broke during the final handshake: the domain's state is undefined. Check both hosts before resuming either copy."],
  [/is an invalid domain identifier|does not exist\./, "domain_not_found", "The domain is not on the source host any more."],
];

/** The most specific failure the lines describe (first match in the table's order of precedence). */
export function errorOfLines(lines: string[]): { code: ErrorCode; message: string } {
  for (const [re, code, message] of ERROR_LINES) if (lines.some((l) => re.test(l))) return { code, message };
  const last = lines.filter((l) => l.trim()).at(-1) ?? "no message";
  return { code: "migrate_failed", message: `xl migrate failed: ${last}` };
}
