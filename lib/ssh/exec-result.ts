import type { ClientChannel } from "ssh2";
import { AppError } from "../errors";
import { abortError } from "./errors";
import { LineFramer } from "./lines";
import type { ExecOptions, ExecResult } from "./types";

/**
 * What one exec channel's command gave: its stdout and stderr (also line by line to the caller, as they come), its
 * exit status or the signal that ended it. The deadline or the caller's cancel kills it (KILL over the channel); an
 * `interrupt` sends INT and keeps reading. A channel that closes with neither status nor signal is a dropped
 * connection, said so.
 */
export function collectExec(
  stream: ClientChannel,
  opts: ExecOptions,
  signal: AbortSignal,
  timeoutMs: number,
  label: string,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let code: number | null = null;
    let exitSignal: string | undefined;
    const outLines = opts.onStdoutLine ? new LineFramer(opts.onStdoutLine) : null;
    const errLines = opts.onStderrLine ? new LineFramer(opts.onStderrLine) : null;
    stream.setEncoding("utf8");
    stream.stderr.setEncoding("utf8");
    stream.on("data", (d: string) => {
      stdout += d;
      outLines?.push(d);
    });
    stream.stderr.on("data", (d: string) => {
      stderr += d;
      errLines?.push(d);
    });
    stream.on("exit", (c: number | null, sig?: string) => {
      code = c;
      exitSignal = sig;
    });
    const onAbort = () => {
      stream.signal("KILL");
      stream.close();
      reject(abortError(opts.signal, timeoutMs, label));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const onInterrupt = () => {
      stream.signal("INT");
    };
    if (opts.interrupt?.aborted) onInterrupt();
    else opts.interrupt?.addEventListener("abort", onInterrupt, { once: true });
    stream.on("close", () => {
      signal.removeEventListener("abort", onAbort);
      opts.interrupt?.removeEventListener("abort", onInterrupt);
      outLines?.end();
      errLines?.end();
      if (signal.aborted) return;
      if (code === null && !exitSignal)
        return reject(
          new AppError("ssh_disconnected", `Connection to ${label} dropped while a command ran.`, { stderr }),
        );
      resolve({ code, signal: exitSignal, stdout, stderr });
    });
  });
}
