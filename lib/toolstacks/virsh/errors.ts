import { AppError } from "../../errors";
import type { ExecResult } from "../../ssh/types";
import { errorLines } from "./parse";

// Exit status + virsh's `error: …` lines → one error code. The only place that reads virsh's messages.

export function virshError(argv: readonly string[], r: ExecResult): AppError {
  const cmd = argv.join(" ");
  const errs = errorLines(r.stderr);
  const text = errs.join(" — ");
  if (r.code === 127) return new AppError("toolstack_not_found", `\`${argv[0]}\` is not installed on this host (exit 127): is libvirt's client installed?`, { stderr: r.stderr });
  if (/failed to get domain|Domain not found/.test(text)) return new AppError("domain_not_found", `No such domain on this host (${cmd}).`, { stderr: r.stderr });
  if (/failed to connect to the hypervisor|Failed to connect socket/.test(text)) {
    return new AppError("toolstack_error", `libvirt does not answer on this host: ${errs.at(-1)}`, { stderr: r.stderr });
  }
  return new AppError("toolstack_error", `\`${cmd}\` failed (exit ${r.code ?? r.signal}): ${text || r.stderr.trim().split("\n")[0] || "no message"}`, { stderr: r.stderr });
}
