import { AppError } from "../../errors";
import type { ExecResult } from "../../ssh/types";

// Exit status + known stderr text of xl → one error code. The only place that reads xl's messages.

export function xlError(argv: readonly string[], r: ExecResult): AppError {
  const cmd = argv.join(" ");
  const stderr = r.stderr.trim();
  if (r.code === 127) return new AppError("toolstack_not_found", `\`${argv[0]}\` is not installed on this host (exit 127): is it a Xen dom0?`, { stderr });
  if (/is an invalid domain identifier|Error: Domain '.*' does not exist\./.test(stderr)) {
    return new AppError("domain_not_found", `No such domain on this host (${cmd}).`, { stderr });
  }
  if (r.code === 2 && /option `.*' not supported\./.test(stderr)) return new AppError("toolstack_error", `xl rejected an option of \`${cmd}\`; this xl may be too old.`, { stderr });
  return new AppError("toolstack_error", `\`${cmd}\` failed (exit ${r.code ?? r.signal}): ${stderr.split("\n")[0] || "no message"}`, { stderr });
}
