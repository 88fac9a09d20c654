import { causeLine } from "../cause";
import { AppError, type ErrorCode } from "../../errors";
import type { ExecResult } from "../../ssh/types";
import { errorLines } from "./parse";

// Exit status + virsh's `error: …` lines → one error code: commands, `virsh migrate`, `virsh save`/`restore`.
// The only place that reads virsh's failure messages.

export function virshError(argv: readonly string[], r: ExecResult): AppError {
  const cmd = argv.join(" ");
  const errs = errorLines(r.stderr);
  const text = errs.join(" — ");
  if (r.code === 127)
    return new AppError(
      "toolstack_not_found",
      `\`${argv[0]}\` is not installed on this host (exit 127): is libvirt's client installed?`,
      { stderr: r.stderr },
    );
  if (/failed to get domain|Domain not found/.test(text))
    return new AppError("domain_not_found", `No such domain on this host (${cmd}).`, { stderr: r.stderr });
  if (/failed to connect to the hypervisor|Failed to connect socket/.test(text)) {
    return new AppError("toolstack_error", `libvirt does not answer on this host: ${errs.at(-1)}`, {
      stderr: r.stderr,
    });
  }
  return new AppError(
    "toolstack_error",
    `\`${cmd}\` failed (exit ${r.code ?? r.signal}): ${text || r.stderr.trim().split("\n")[0] || "no message"}`,
    { stderr: r.stderr },
  );
}

// virsh migrate (libvirt 9.0 texts, captured in the lab)
const MIGRATE_ERRORS: [RegExp, ErrorCode, string][] = [
  [
    /operation aborted|canceled by client|cancelled by client/,
    "migrate_cancelled",
    "The migration was aborted; the domain kept running on the source.",
  ],
  [
    /Could not resolve hostname|Name or service not known/,
    "migrate_target_unknown",
    "The source host cannot resolve the target's name.",
  ],
  [
    /failed to connect to the hypervisor|Connection refused|No route to host|Connection timed out|Cannot recv data|Host key verification failed/,
    "migrate_target_unreachable",
    "The source host cannot reach libvirt on the target over SSH.",
  ],
  [
    /Cannot allocate memory|cannot set up guest memory|Out of memory/i,
    "migrate_target_oom",
    "The target could not reserve memory for the domain.",
  ],
  [
    /unexpectedly failed|Broken pipe|Connection reset|migration .*failed: .*(stream|socket)/,
    "migrate_link_lost",
    "The migration stream between the hosts broke; the domain kept running on the source.",
  ],
  [/failed to get domain|Domain not found/, "domain_not_found", "The domain is not on the source host any more."],
  [
    /Attempt to migrate guest to the same host/,
    "migrate_same_host",
    "libvirt says the target is the source: both hosts report the same host UUID (OEM firmware often does). Give one its own host_uuid in /etc/libvirt/libvirtd.conf.",
  ],
  [
    /qemu unexpectedly closed the monitor|load of migration failed/,
    "migrate_target_start_failed",
    "QEMU on the target quit while receiving the domain; the domain keeps running on the source.",
  ],
  [
    /Storage pool not found: no storage pool with matching target path/,
    "migrate_failed",
    "libvirt found no file at the disk's path on the target to copy the disk into, and no storage pool there to create one.",
  ],
  [
    /cannot abort migration in post-copy mode/,
    "migrate_handshake_lost",
    "The migration is in post-copy: it can no longer be aborted.",
  ],
];

export function virshMigrateError(stderr: string): { code: ErrorCode; message: string } {
  const lines = errorLines(stderr);
  for (const [re, code, message] of MIGRATE_ERRORS)
    if (lines.some((l) => re.test(l))) return { code, message: `${message} (virsh: ${causeLine(lines, re)})` };
  return {
    code: "migrate_failed",
    message: `virsh migrate failed: ${causeLine(lines) ?? (causeLine(stderr.split("\n")) || "no message")}`,
  };
}

// virsh save / restore
const FILE_ERRORS: [RegExp, ErrorCode, string][] = [
  [/No space left on device/, "save_no_space", "The disk filled up during the save; the domain keeps running."],
  [/Failed to create file/, "save_unwritable", "libvirt could not create the image file (does the directory exist?)."],
  [/Failed to open file .*No such file or directory/, "image_missing", "The image file is not there."],
  [
    /image magic is incorrect|failed to read qemu header|image version is not supported/,
    "image_corrupt",
    "The file is not a libvirt save image.",
  ],
  [
    /is already active|already exists with uuid/,
    "domain_exists",
    "A domain of that name is already active on this host.",
  ],
  [
    /Cannot allocate memory|cannot set up guest memory/i,
    "restore_no_memory",
    "The host has not enough free memory for the domain.",
  ],
  [/failed to get domain|Domain not found/, "domain_not_found", "The domain is not on this host any more."],
  [/domain is not running/, "domain_not_found", "The domain is not running on this host."],
];

/** The most specific failure virsh's stderr describes. */
export function virshSaveRestoreError(stderr: string, what: "save" | "restore"): { code: ErrorCode; message: string } {
  const lines = errorLines(stderr);
  for (const [re, code, message] of FILE_ERRORS)
    if (lines.some((l) => re.test(l))) return { code, message: `${message} (virsh: ${causeLine(lines, re)})` };
  return {
    code: what === "save" ? "save_failed" : "restore_failed",
    message: `virsh ${what} failed: ${causeLine(lines) ?? "no message"}`,
  };
}
