import { randomBytes } from "node:crypto";
import type { ClientChannel } from "ssh2";
import { AppError } from "../errors";
import type { ExecResult } from "./types";

/**
 * One long-lived `sh` on a host, fed scripts on its stdin one at a time. A script's end is a marker line with a
 * random nonce on stdout (with the last command's status) and on stderr; what came before it on each stream is the
 * script's output. No channel is opened or closed per script: one SSH data message goes out and one or two come
 * back, where an exec channel costs three out and seven in (open, exec, data, EOF, exit status, close).
 *
 * The shell's own stdin is the script stream, so a command that reads its stdin would swallow the scripts after
 * it: the caller runs each command with `</dev/null`. A shell that ends, a channel that closes or a script that
 * overstays its deadline leaves this shell dead (`alive` false); the connection opens another for the next script.
 */
export class RemoteShell {
  private readonly prefix = randomBytes(6).toString("hex");
  private counter = 0;
  private dead = false;
  private pending: {
    mark: string;
    out: string;
    err: string;
    resolve(r: ExecResult): void;
    reject(e: AppError): void;
  } | null = null;

  constructor(
    private readonly channel: ClientChannel,
    private readonly label: string,
    /** called once when the shell dies, whatever the cause */
    private readonly onDead: () => void,
  ) {
    channel.setEncoding("utf8");
    channel.stderr.setEncoding("utf8");
    channel.on("data", (d: string) => this.take("out", d));
    channel.stderr.on("data", (d: string) => this.take("err", d));
    channel.on("close", () =>
      this.die(new AppError("ssh_disconnected", `Connection to ${this.label} dropped while a command ran.`)),
    );
  }

  get alive(): boolean {
    return !this.dead;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Runs a script (one or more complete lines of sh); its result when both end markers have arrived. */
  run(script: string, signal: AbortSignal, onAbort: () => AppError): Promise<ExecResult> {
    if (this.dead) return Promise.reject(new AppError("ssh_disconnected", `Connection to ${this.label} dropped.`));
    if (this.pending) throw new Error("RemoteShell.run while a script runs"); // the connection queues scripts
    const mark = `@@ferry-sh-${this.prefix}-${(this.counter++).toString(36)}`;
    return new Promise<ExecResult>((resolve, reject) => {
      const abort = () => this.die(onAbort());
      if (signal.aborted) return reject(onAbort());
      signal.addEventListener("abort", abort, { once: true });
      this.pending = {
        mark,
        out: "",
        err: "",
        resolve: (r) => {
          signal.removeEventListener("abort", abort);
          resolve(r);
        },
        reject: (e) => {
          signal.removeEventListener("abort", abort);
          reject(e);
        },
      };
      this.channel.write(`${script}\nprintf '\\n%s %s\\n' ${mark} "$?"; printf '\\n%s\\n' ${mark} >&2\n`);
    });
  }

  /** Ends the shell (EOF: sh exits after what it is running). */
  close(): void {
    this.die(new AppError("ssh_disconnected", `Connection to ${this.label} was closed.`));
  }

  private take(stream: "out" | "err", data: string) {
    const p = this.pending;
    if (!p) return; // nothing runs: output after a script's markers (none is expected) is not anyone's
    p[stream] += data;
    const outAt = p.out.indexOf(`\n${p.mark} `);
    const outEnd = outAt < 0 ? -1 : p.out.indexOf("\n", outAt + p.mark.length + 2);
    const errAt = p.err.indexOf(`\n${p.mark}\n`);
    if (outEnd < 0 || errAt < 0) return;
    this.pending = null;
    p.resolve({
      code: Number(p.out.slice(outAt + p.mark.length + 2, outEnd)),
      stdout: p.out.slice(0, outAt),
      stderr: p.err.slice(0, errAt),
    });
  }

  private die(e: AppError) {
    if (this.dead) return;
    this.dead = true;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
    this.channel.signal("KILL");
    this.channel.end();
    this.channel.close();
    this.onDead();
  }
}
