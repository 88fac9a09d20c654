import fs from "node:fs";
import net from "node:net";
import { EventEmitter } from "node:events";
import ssh2 from "ssh2";
import type { ClientChannel, ConnectConfig } from "ssh2";
import { AppError } from "../errors";
import { abortError, socketError } from "./errors";
import { buildCommand } from "./quote";
import { fingerprintOfKey } from "./fingerprint";
import { collectExec } from "./exec-result";
import { RemoteShell } from "./remote-shell";
import { Semaphore } from "./semaphore";
import type { ConnectionState, ExecOptions, ExecResult, SshTarget } from "./types";

const { Client } = ssh2;

/** OpenSSH allows 10 sessions per connection and counts just-closed ones for a moment: stay at 8. */
export const MAX_CHANNELS = 8;
/** channels only a running job's commands may use: checks and refreshes cannot starve its polls */
export const JOB_RESERVED_CHANNELS = 3;
const CONNECT_TIMEOUT_MS = 8_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 15_000;

/**
 * One persistent SSH connection to a host: connects on first use, pins the host key, runs at most
 * MAX_CHANNELS commands at once (the rest queue), reconnects with exponential backoff after a drop.
 */
export class SshConnection extends EventEmitter {
  state: ConnectionState = "idle";
  lastError: AppError | null = null;
  private client: InstanceType<typeof Client> | null = null;
  private connecting: Promise<InstanceType<typeof Client>> | null = null;
  private failures = 0;
  private retryAt = 0;
  private readonly channels = new Semaphore(MAX_CHANNELS, JOB_RESERVED_CHANNELS);
  /** the long-lived shell scripts run in (execScript), while it lives; it holds one of the channels */
  private shell: Promise<RemoteShell> | null = null;
  /** scripts take turns in the one shell: this settles when the last one asked has finished */
  private shellTurn: Promise<void> = Promise.resolve();

  constructor(
    readonly label: string,
    private target: SshTarget,
  ) {
    super();
  }

  get channelsInUse() {
    return this.channels.inUse;
  }
  get channelsWaiting() {
    return this.channels.waiting;
  }
  /** how many commands of each lane had to wait for a channel */
  get channelsQueued() {
    return { ...this.channels.queued };
  }

  /**
   * Runs argv on the host; every word is quoted for the remote shell by buildCommand. Every command runs in the C
   * locale: a host installed in another language would otherwise print translated labels and decimal commas
   * (libvirt's "CPU-Zeit: 18,2s") to parsers that read the English ones.
   */
  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = `LC_ALL=C ${buildCommand(argv)}`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    const release = await this.channels.acquire(signal, opts.lane ?? "normal").catch(() => {
      throw abortError(opts.signal, timeoutMs, this.label);
    });
    try {
      const client = await this.connect();
      if (signal.aborted) throw abortError(opts.signal, timeoutMs, this.label);
      return await this.run(client, command, opts, signal, timeoutMs);
    } finally {
      release();
    }
  }

  /**
   * Runs a shell script (complete lines of sh, every word already quoted) in this host's long-lived shell: no channel
   * opened per script. Scripts take turns; each command in a script must read its stdin from /dev/null (the shell's
   * stdin is the stream of scripts). The shell runs in the C locale, as exec's commands do.
   */
  async execScript(script: string, opts: Pick<ExecOptions, "signal" | "timeoutMs"> = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    const failure = () => abortError(opts.signal, timeoutMs, this.label);
    const before = this.shellTurn;
    let done!: () => void;
    this.shellTurn = new Promise<void>((r) => {
      done = r;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const give = () => reject(failure());
        if (signal.aborted) return give();
        signal.addEventListener("abort", give, { once: true });
        void before.then(() => {
          signal.removeEventListener("abort", give);
          resolve();
        });
      });
      const shell = await this.openShell(signal, timeoutMs, opts.signal);
      return await shell.run(script, signal, failure);
    } finally {
      done();
    }
  }

  /** `user` is the caller's own signal (a cancel), `signal` that and the deadline: they say which ended the wait */
  private openShell(signal: AbortSignal, timeoutMs: number, user?: AbortSignal): Promise<RemoteShell> {
    const live = this.shell;
    if (live) return live.then((sh) => (sh.alive ? sh : this.newShell(signal, timeoutMs, user)));
    return this.newShell(signal, timeoutMs, user);
  }

  private newShell(signal: AbortSignal, timeoutMs: number, user?: AbortSignal): Promise<RemoteShell> {
    const opening = (async () => {
      const release = await this.channels.acquire(signal, "normal").catch(() => {
        throw abortError(user, timeoutMs, this.label);
      });
      try {
        const client = await this.connect();
        return await this.openChannel(
          client,
          "LC_ALL=C sh",
          { signal: user },
          signal,
          timeoutMs,
          (channel) =>
            new RemoteShell(channel, this.label, () => {
              release();
              if (this.shell === opening) this.shell = null;
            }),
        );
      } catch (e) {
        release();
        throw e;
      }
    })();
    this.shell = opening;
    opening.catch(() => {
      if (this.shell === opening) this.shell = null;
    });
    return opening;
  }

  /** Opens the connection now (a no-op when it is up); rejects with the reason it cannot. */
  async connect(): Promise<InstanceType<typeof Client>> {
    if (this.client && this.state === "ready") return this.client;
    if (this.connecting) return this.connecting;
    if (this.state === "closed") throw new AppError("ssh_disconnected", `Connection to ${this.label} was closed.`);
    if (Date.now() < this.retryAt && this.lastError) throw this.lastError;
    this.setState("connecting");
    this.connecting = this.open()
      .then(
        (client) => {
          this.client = client;
          this.failures = 0;
          this.lastError = null;
          this.setState("ready");
          return client;
        },
        (e: AppError) => {
          this.failures++;
          this.lastError = e;
          this.retryAt = Date.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failures - 1));
          this.setState("backoff");
          throw e;
        },
      )
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  /** Closes for good (the host was removed or the server is stopping). */
  close(): void {
    this.setState("closed");
    void this.shell?.then(
      (sh) => sh.close(),
      () => {},
    );
    this.client?.end();
    this.client = null;
  }

  /** Forgets the backoff so the next exec connects at once (an operator pressed "test"). */
  retryNow(): void {
    this.retryAt = 0;
  }

  private setState(s: ConnectionState) {
    if (this.state === s) return;
    this.state = s;
    this.emit("state", s);
  }

  private open(): Promise<InstanceType<typeof Client>> {
    const { address, port, user, auth, fingerprint } = this.target;
    const config: ConnectConfig = {
      username: user,
      readyTimeout: CONNECT_TIMEOUT_MS,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    };
    if (auth.kind === "key") {
      try {
        config.privateKey = fs.readFileSync(auth.keyPath);
      } catch (e) {
        return Promise.reject(
          new AppError(
            "ssh_key_unreadable",
            `Cannot read the private key ${auth.keyPath}: ${(e as NodeJS.ErrnoException).code ?? "error"}.`,
          ),
        );
      }
    } else {
      if (!process.env.SSH_AUTH_SOCK)
        return Promise.reject(
          new AppError("ssh_agent_unavailable", "No ssh-agent: SSH_AUTH_SOCK is not set for the Ferry server."),
        );
      config.agent = process.env.SSH_AUTH_SOCK;
    }
    return new Promise((resolve, reject) => {
      let seenKey: string | null = null;
      let settled = false;
      const fail = (e: AppError) => {
        if (!settled) {
          settled = true;
          client.end();
          sock.destroy();
          reject(e);
        }
      };
      const sock = net.connect({ host: address, port });
      sock.setNoDelay(true); // ssh2 never sets it: ~85 ms per exec on loopback without it
      sock.setTimeout(CONNECT_TIMEOUT_MS, () =>
        fail(new AppError("ssh_timeout", `No answer from ${address}:${port} within ${CONNECT_TIMEOUT_MS / 1000} s.`)),
      );
      sock.once("error", (e: NodeJS.ErrnoException) => fail(socketError(e, address, port)));
      const client = new Client();
      config.sock = sock;
      config.hostVerifier = (key: Buffer) => {
        seenKey = fingerprintOfKey(key);
        return seenKey === fingerprint;
      };
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        sock.setTimeout(0);
        client.on("close", () => this.onDrop(client));
        resolve(client);
      });
      client.on("error", (e: Error & { level?: string }) => {
        if (seenKey && seenKey !== fingerprint) {
          return fail(
            new AppError(
              "host_key_changed",
              `The host key of ${this.label} has changed: pinned ${fingerprint}, offered ${seenKey}. Ferry refuses to connect; if the host was reinstalled, remove it and add it again to accept the new key.`,
              { pinned: fingerprint, offered: seenKey },
            ),
          );
        }
        if (e.level === "client-authentication") {
          return fail(
            new AppError(
              "ssh_auth_failed",
              `${user}@${address}:${port} refused the key (${auth.kind === "key" ? auth.keyPath : "ssh-agent"}).`,
            ),
          );
        }
        if (e.level === "client-timeout")
          return fail(new AppError("ssh_timeout", `SSH handshake with ${address}:${port} timed out.`));
        fail(socketError(e as NodeJS.ErrnoException, address, port));
      });
      client.connect(config);
    });
  }

  private onDrop(client: InstanceType<typeof Client>) {
    if (this.client !== client) return;
    this.client = null;
    if (this.state === "closed") return;
    this.lastError = new AppError("ssh_disconnected", `Connection to ${this.label} dropped.`);
    this.retryAt = 0; // reconnect on the next exec; backoff starts if that fails
    this.setState("idle");
  }

  /**
   * Opens a channel running `command`. The deadline holds while the channel opens too: after a network outage the lab
   * saw a connection that opened no channel ever again (every command waited for good). One that does not open in
   * time fails the command, and the connection is dropped (its commands end as lost) so that the next command
   * connects anew.
   */
  private openChannel<T>(
    client: InstanceType<typeof Client>,
    command: string,
    opts: ExecOptions,
    signal: AbortSignal,
    timeoutMs: number,
    /** takes the channel in the tick it opens: its output and exit may follow in the next */
    use: (stream: ClientChannel) => T,
  ): Promise<Awaited<T>> {
    return new Promise<Awaited<T>>((resolve, reject) => {
      let opened = false;
      const beforeOpen = () => {
        if (opened) return;
        reject(abortError(opts.signal, timeoutMs, this.label));
        if (!opts.signal?.aborted) {
          client.destroy();
          // dropped now, not at its "close" event: a command asked before then would meet a client that is not
          // connected (ssh2 throws "Not connected"), instead of a new connection
          this.onDrop(client);
        }
      };
      signal.addEventListener("abort", beforeOpen, { once: true });
      const onOpen = (err: Error | undefined, stream: ClientChannel) => {
        opened = true;
        signal.removeEventListener("abort", beforeOpen);
        if (signal.aborted) {
          stream?.close();
          return;
        }
        if (err)
          return reject(
            new AppError("ssh_channel_failed", `Could not open a channel to ${this.label}: ${err.message}`),
          );
        resolve(use(stream) as Awaited<T>); // a promise use returns is followed by this one
      };
      try {
        client.exec(command, onOpen);
      } catch {
        // ssh2 throws "Not connected" when the client went between the pick and the exec (its close event not yet
        // seen): a dropped connection, said so; the next command connects anew
        signal.removeEventListener("abort", beforeOpen);
        this.onDrop(client);
        reject(new AppError("ssh_disconnected", `Connection to ${this.label} dropped.`));
      }
    });
  }

  private run(
    client: InstanceType<typeof Client>,
    command: string,
    opts: ExecOptions,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<ExecResult> {
    return this.openChannel(client, command, opts, signal, timeoutMs, (stream) =>
      collectExec(stream, opts, signal, timeoutMs, this.label),
    );
  }
}
