import { randomBytes } from "node:crypto";
import { buildCommand } from "../ssh/quote";
import type { ExecOptions, ExecResult } from "../ssh/types";
import type { CommandRunner, SnapshotOptions } from "./types";

/**
 * Runs several commands as one script: a shell runs them one after another, and a marker line with a random nonce
 * after each one (on stdout with its exit status, on stderr alone) splits the output back into one result per
 * command. The script goes to the host's long-lived shell where the runner keeps one (an SSH connection does: no
 * channel to open and close per refresh), else to `sh -c` in a channel of its own. One script per host per refresh
 * instead of five commands is what lets a warm inventory of 200 hosts finish in a few round trips. Every word is
 * quoted as `exec` quotes it, and every command reads its stdin from /dev/null.
 */
// unguessable by a command's output (a domain name cannot spell the marker ahead of time); a counter is cheap
const PREFIX = randomBytes(6).toString("hex");
let counter = 0;

export async function execBatch(
  runner: CommandRunner,
  commands: readonly (readonly string[])[],
  /** sideBySide: this batch runs beside others of the same host, each in a channel of its own (not the one shell) */
  opts: ExecOptions & { sideBySide?: boolean } = {},
): Promise<ExecResult[]> {
  if (commands.length === 0) return [];
  const mark = `@@ferry-${PREFIX}-${(counter++).toString(36)}`;
  const script = commands
    .map((argv) => `${buildCommand(argv)} </dev/null; printf '\\n%s %s\\n' ${mark} "$?"; printf '\\n%s\\n' ${mark} >&2`)
    .join("\n");
  const r =
    runner.execScript && !opts.sideBySide
      ? await runner.execScript(script, { signal: opts.signal, timeoutMs: opts.timeoutMs })
      : await runner.exec(["sh", "-c", script], opts);
  const out = splitMarked(r.stdout, `\n${mark} `);
  const err = splitMarked(r.stderr, `\n${mark}\n`);
  return commands.map((_argv, i) => {
    const o = out[i];
    // a command the shell never finished (the channel was cut or timed out): no status, what it printed
    if (!o)
      return {
        code: null,
        signal: r.signal,
        stdout: i === out.length ? out.rest : "",
        stderr: i === err.length ? err.rest : "",
      };
    const nl = o.after.indexOf("\n");
    return {
      code: Number(o.after.slice(0, nl < 0 ? undefined : nl)),
      stdout: o.text,
      stderr: err[i]?.text ?? (i === err.length ? err.rest : ""),
    };
  });
}

/**
 * execBatch with each command named, so that a driver reads each result by what it is rather than by its position
 * (an optional command left out of the batch is an absent name, not a shifted index).
 */
export async function execNamedBatch<T extends { [name: string]: readonly string[] }>(
  runner: CommandRunner,
  commands: T,
  opts: ExecOptions = {},
): Promise<{ [K in keyof T]: ExecResult }> {
  const names = Object.keys(commands);
  const results = await execBatch(
    runner,
    names.map((n) => commands[n]),
    opts,
  );
  return Object.fromEntries(names.map((n, i) => [n, results[i]])) as { [K in keyof T]: ExecResult };
}

/** Pieces of `text` before each separator (and, for stdout, what follows the separator on its line). */
function splitMarked(text: string, sep: string): { text: string; after: string }[] & { rest: string } {
  const parts: { text: string; after: string }[] = [];
  let pos = 0;
  for (;;) {
    const at = text.indexOf(sep, pos);
    if (at < 0) break;
    const end = text.indexOf("\n", at + sep.length);
    const stop = sep.endsWith("\n") ? at + sep.length : end < 0 ? text.length : end + 1;
    parts.push({ text: text.slice(pos, at), after: text.slice(at + sep.length, stop) });
    pos = stop;
  }
  return Object.assign(parts, { rest: text.slice(pos) });
}

/**
 * How long one inventory batch may take: a steady refresh 15 s; a host's first look, a refresh after it was away and
 * the periodic full re-read (cpu flags, addresses, every domain's configuration: up to twice the commands), a
 * minute — a dom0 short of CPU takes a second or more to start each process, and refusing to add such a host would
 * leave it unmanaged.
 */
export function inventoryTimeoutMs(opts: SnapshotOptions): number {
  return opts.previous && !opts.withCpuFlags && !opts.full ? 15_000 : 60_000;
}
