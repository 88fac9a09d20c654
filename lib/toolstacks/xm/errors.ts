import { AppError, type ErrorCode } from "../../errors";
import type { ExecResult } from "../../ssh/types";

// xm's failure texts → error codes. xm prints `Error: <message>` (an XML-RPC fault from xend) and then the
// command's usage; xend's own reasons are in xend.log (read by migrate.ts). The only place that reads them.

export function xmError(argv: readonly string[], r: ExecResult): AppError {
  const cmd = argv.join(" ");
  const stderr = r.stderr.trim();
  if (r.code === 127)
    return new AppError("toolstack_not_found", `\`${argv[0]}\` is not installed on this host (exit 127).`, { stderr });
  if (/Unable to connect to xend|Is xend running\?/.test(stderr))
    // detection moves on to the next toolstack (a Xen 4.1–4.4 host with xend stopped is driven by xl)
    return new AppError(
      "toolstack_not_found",
      "xend is not running on this host: start it (`/etc/init.d/xend start`).",
      {
        stderr,
      },
    );
  if (/Error: Domain '.*' does not exist\./.test(stderr))
    return new AppError("domain_not_found", `No such domain on this host (${cmd}).`, { stderr });
  return new AppError("toolstack_error", `\`${cmd}\` failed (exit ${r.code ?? r.signal}): ${firstError(stderr)}`, {
    stderr,
  });
}

const firstError = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("Error:"))
    ?.replace(/^Error:\s*/, "") ??
  (text.split("\n")[0] || "no message");

// xm migrate: the client's `Error:` line, then what the source's xend.log said
const MIGRATE: [RegExp, ErrorCode, string][] = [
  [
    /can't connect: .*(Name or service not known|No address associated)/,
    "migrate_target_unknown",
    "The source host cannot resolve the target's name.",
  ],
  [
    /can't connect: /,
    "migrate_target_unreachable",
    "The source's xend cannot connect to the target's relocation server (is `xend-relocation-server` on, and the port open?).",
  ],
  [
    /Rejected connection|errno 104|Connection reset by peer/,
    "migrate_link_lost",
    "The target closed the relocation connection: its xend-relocation-hosts-allow may not admit the source, or the link broke.",
  ],
  [
    /Not enough memory|Cannot allocate memory|errno 12\b/,
    "migrate_target_oom",
    "The target could not reserve memory for the domain.",
  ],
  [/Broken pipe|errno 32\b/, "migrate_link_lost", "The migration stream between the hosts broke."],
  [/Cannot migrate privileged domain/, "migrate_failed", "Domain-0 cannot be migrated."],
  [/Domain is not running|VMBadState/, "migrate_failed", "The domain is not running."],
  [/does not exist\./, "domain_not_found", "The domain is not on the source host any more."],
];

export function migrateErrorOf(lines: string[]): { code: ErrorCode; message: string } {
  for (const [re, code, message] of MIGRATE) if (lines.some((l) => re.test(l))) return { code, message };
  return { code: "migrate_failed", message: `xm migrate failed: ${firstError(lines.join("\n"))}` };
}

// xm save / restore: client-side texts (reference §2) and xend's faults
const FILES: [RegExp, ErrorCode, string][] = [
  [
    /Unable to create file|Permission denied/,
    "save_unwritable",
    "xend could not create the image file (does the directory exist?).",
  ],
  [
    /No space left on device|errno 28\b/,
    "save_no_space",
    "The disk filled up during the save; the domain was resumed.",
  ],
  [/Unable to read file|No such file/, "image_missing", "The image file is not there."],
  [
    /not a valid guest state file|Invalid signature|LinuxGuestRecord/,
    "image_corrupt",
    "The file is not an xm save image.",
  ],
  [/already exists|is already running/, "domain_exists", "A domain of that name already runs on this host."],
  [
    /Not enough memory|Cannot allocate memory/,
    "restore_no_memory",
    "The host has not enough free memory for the domain.",
  ],
  [/does not exist\./, "domain_not_found", "The domain is not on this host any more."],
];

export function filesErrorOf(stderr: string, what: "save" | "restore"): { code: ErrorCode; message: string } {
  const lines = stderr.split("\n");
  for (const [re, code, message] of FILES) if (lines.some((l) => re.test(l))) return { code, message };
  return {
    code: what === "save" ? "save_failed" : "restore_failed",
    message: `xm ${what} failed: ${firstError(stderr)}`,
  };
}
