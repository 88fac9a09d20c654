import { AppError, type ErrorCode } from "../../errors";
import { causeLine } from "../cause";
import { parseProgress } from "./progress";
import type { ExecResult } from "../../ssh/types";

// Exit status + known stderr text of xl → one error code: commands, `xl migrate` and `xl save`/`restore`.
// The only place that reads xl's failure messages.

export function xlError(argv: readonly string[], r: ExecResult): AppError {
  const cmd = argv.join(" ");
  const stderr = r.stderr.trim();
  if (r.code === 127)
    return new AppError(
      "toolstack_not_found",
      `\`${argv[0]}\` is not installed on this host (exit 127): is it a Xen dom0?`,
      { stderr },
    );
  const privcmd = /Could not obtain handle on privileged command interface: (.*)/.exec(stderr);
  if (privcmd || /cannot init xl context/.test(stderr)) {
    const why = privcmd?.[1] ?? "";
    return new AppError(
      "toolstack_error",
      /Permission denied/.test(why)
        ? "xl may only be run as root here: Ferry's SSH user cannot open Xen's control interface (Permission denied)."
        : "xl is installed but Xen is not running on this host (it cannot open Xen's control interface): was it booted without the Xen hypervisor?",
      { stderr },
    );
  }
  if (/is an invalid domain identifier|Error: Domain '.*' does not exist\./.test(stderr)) {
    return new AppError("domain_not_found", `No such domain on this host (${cmd}).`, { stderr });
  }
  if (r.code === 2 && /option `.*' not supported\./.test(stderr))
    return new AppError("toolstack_error", `xl rejected an option of \`${cmd}\`; this xl may be too old.`, { stderr });
  return new AppError(
    "toolstack_error",
    `\`${cmd}\` failed (exit ${r.code ?? r.signal}): ${stderr.split("\n")[0] || "no message"}`,
    { stderr },
  );
}

// xl migrate (xl_migrate.c; reference §1.6)
const ERROR_LINES: [RegExp, ErrorCode, string][] = [
  // the sender could not suspend the domain or track its memory: nothing reached the target (whose "Domain
  // creation failed" then only says the stream ended); real Xen 4.17 output, PV and PVH (fixtures/xen417)
  [
    /Migration failed, failed to suspend at sender/,
    "migrate_failed",
    "The source could not suspend the domain for the move, so nothing was moved: the domain stays on the source.",
  ],
  [/Could not resolve hostname/, "migrate_target_unknown", "The source host cannot resolve the target's name."],
  [
    /ssh: connect to host .* Connection refused|Connection timed out|No route to host/,
    "migrate_target_unreachable",
    "The source host cannot reach the target over SSH.",
  ],
  // the target's `xl migrate-receive` never said hello (real Xen 4.17: the receiving command failed at once)
  [
    /reading banner from migration receiver stream/,
    "migrate_target_unreachable",
    "The target never answered: `xl migrate-receive` did not start there (SSH between the hosts, or xl on the target).",
  ],
  [
    /cannot allocate memory|Domain creation failed/,
    "migrate_target_oom",
    "The target could not reserve memory for the domain.",
  ],
  [
    /Broken pipe|Connection reset|file\/stream truncated/,
    "migrate_link_lost",
    "The migration stream between the hosts broke.",
  ],
  [
    /Target reports startup failure/,
    "migrate_target_start_failed",
    "The target could not start the domain; it was resumed on the source.",
  ],
  [
    /Migration failed during final handshake|Domain state is now undefined/,
    "migrate_handshake_lost",
    "The link broke during the final handshake: the domain's state is undefined. Check both hosts before resuming either copy.",
  ],
  [
    /is an invalid domain identifier|does not exist\./,
    "domain_not_found",
    "The domain is not on the source host any more.",
  ],
];

/** The most specific failure the lines describe (first match in the table's order of precedence). */
export function errorOfLines(lines: string[]): { code: ErrorCode; message: string } {
  for (const [re, code, message] of ERROR_LINES) {
    if (!lines.some((l) => re.test(l))) continue;
    // a failure at the sender has its own cause before it (log-dirty refused, the guest ignoring the suspend)
    const why = code === "migrate_failed" ? causeLine(lines) : null;
    return { code, message: why ? `${message} (xl: ${why})` : message };
  }
  return { code: "migrate_failed", message: `xl migrate failed: ${causeLine(lines) ?? "no message"}` };
}

// xl save / restore (xl_saverestore.c, libxl)
/** [what the line says, the code, the sentence, whether to quote xl's own line after the sentence] */
const ERRORS: [RegExp, ErrorCode, string, boolean?][] = [
  [/No space left on device/, "save_no_space", "The disk filled up during the save; the domain was resumed."],
  [/Failed to open temp file/, "save_unwritable", "xl could not create the image file (does the directory exist?)."],
  [/Can't open restore file/, "image_missing", "The image file is not there."],
  [
    /wrong magic number|wrong byte order|Savefile truncated|mandatory flag|Failed to read .* bytes of data for record|Failed to read Record Header/,
    "image_corrupt",
    "The file is not a complete xl save image.",
  ],
  [/already exists/, "domain_exists", "A domain of that name already runs on this host."],
  [
    /domain id recently used/,
    "restore_domid_recent",
    "The domain was saved keeping its id (xl save -D) and Xen has not released that id yet: wait a few minutes and restore again.",
    true,
  ],
  [/cannot allocate memory/, "restore_no_memory", "The host has not enough free memory for the domain."],
  [/is an invalid domain identifier|does not exist\./, "domain_not_found", "The domain is not on this host any more."],
];

export function saveRestoreError(lines: string[], what: "save" | "restore"): { code: ErrorCode; message: string } {
  for (const [re, code, message, quote] of ERRORS) {
    const line = lines.find((l) => re.test(l));
    if (line !== undefined) return { code, message: quote ? `${message} (xl: ${line.trim()})` : message };
  }
  // quote the line that says why, never a progress line that happened to come last
  const cause = causeLine(lines.filter((l) => !parseProgress(l)));
  return {
    code: what === "save" ? "save_failed" : "restore_failed",
    message: `xl ${what} failed: ${cause ?? "no message"}`,
  };
}
