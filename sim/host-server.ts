import { qemuImgCommand, testCommand } from "./commands/disk-tools";
import net from "node:net";
import { timingSafeEqual } from "node:crypto";
import ssh2 from "ssh2";
import type { Connection, ParsedKey } from "ssh2";
import { parseScript, ShellSyntaxError } from "./sh/parse";
import { runParsedShell, runShell, type CommandFn, type ShellEnv } from "./sh/run";
import { toolstackCommands, toolstackOf } from "./commands/toolstacks";
import { linuxCommands, readVirtualFile } from "./commands/linux";
import type { World } from "./world";

const { Server, utils } = ssh2;

// OpenSSH's default MaxSessions: an 11th concurrent channel on one connection is refused.
const MAX_SESSIONS = 10;
/** a shell that reads its commands from the channel (Ferry's long-lived shell, lib/ssh/remote-shell.ts) */
const STDIN_SHELL = /^(LC_ALL=C )?(?:ba)?sh$/;

type ShellIO = {
  out(t: string): void;
  err(t: string): void;
  signal: AbortSignal;
  interrupt?: AbortSignal;
  stdin?: string;
  status?: number;
  /** variables the shell was started with (`LC_ALL=C sh`) */
  vars?: Record<string, string>;
};

export interface SimHostServerOptions {
  world: World;
  name: string;
  hostKey: string;
  authorizedKey: string;
  user: string;
  port: number;
  /** extra commands (tests add their own) */
  commands?: Record<string, CommandFn>;
}

/** One simulated host: a real SSH server on 127.0.0.1 whose exec requests run in the sim shell. */
export class SimHostServer {
  readonly name: string;
  port: number;
  private readonly tcp: net.Server;
  private readonly ssh: InstanceType<typeof Server>;
  private readonly sockets = new Set<net.Socket>();
  private readonly authorized: ParsedKey;
  private listening = false;

  constructor(private readonly opts: SimHostServerOptions) {
    this.name = opts.name;
    this.port = opts.port;
    const parsed = utils.parseKey(opts.authorizedKey);
    if (parsed instanceof Error) throw parsed;
    this.authorized = Array.isArray(parsed) ? parsed[0] : parsed;
    this.ssh = new Server({ hostKeys: [opts.hostKey] }, (client) => this.onClient(client));
    this.tcp = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      this.ssh.injectSocket(socket);
    });
  }

  get up() {
    return this.listening;
  }

  async start(): Promise<void> {
    if (this.listening) return;
    if (this.port === 0) this.port = await this.firstPort();
    else await this.listen(this.port);
    this.listening = true;
  }

  private listen(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.tcp.once("error", reject);
      this.tcp.listen(port, "127.0.0.1", () => {
        this.tcp.off("error", reject);
        resolve();
      });
    });
  }

  /**
   * The host's port, found once, below the kernel's ephemeral range (32768–60999): a real sshd's port is never one an
   * outgoing connection may take, and a simulated sshd that is stopped and started again (the fault campaigns) must
   * find its port free — an ephemeral one was taken meanwhile by some connection's local end (EADDRINUSE, seen once
   * in a 200-trial campaign).
   */
  private async firstPort(): Promise<number> {
    for (;;) {
      const port = 20000 + Math.floor(Math.random() * 12000);
      const taken = await this.listen(port).then(
        () => false,
        (e: NodeJS.ErrnoException) => {
          if (e.code !== "EADDRINUSE") throw e;
          return true;
        },
      );
      if (!taken) return port;
    }
  }

  /** Like sshd being killed: stop listening and drop every open connection. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** A network blip: every open connection is reset, sshd keeps listening; running commands carry on. */
  blip(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  private onClient(client: Connection) {
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      const key = this.authorized;
      if (
        ctx.method === "publickey" &&
        ctx.username === this.opts.user &&
        ctx.key.algo === key.type &&
        ctx.key.data.length === key.getPublicSSH().length &&
        timingSafeEqual(ctx.key.data, key.getPublicSSH())
      ) {
        if (!ctx.signature) return ctx.accept();
        if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      let sessions = 0;
      client.on("session", (accept, reject) => {
        if (sessions >= MAX_SESSIONS) return reject();
        sessions++;
        const session = accept();
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            sessions--;
          }
        };
        session.on("close", release);
        const interrupt = new AbortController();
        session.on("signal", (acceptSignal, _reject, info) => {
          if (["INT", "TERM", "KILL", "HUP"].includes(info.name)) interrupt.abort();
          acceptSignal?.();
        });
        session.on("exec", (acceptExec, _rejectExec, info) => {
          const stream = acceptExec();
          const abort = new AbortController();
          stream.on("close", () => {
            abort.abort();
            release();
          });
          const stdinShell = STDIN_SHELL.exec(info.command);
          if (stdinShell)
            void this.runStdinShell(stream, abort.signal, interrupt.signal, stdinShell[1] ? { LC_ALL: "C" } : {});
          else void this.runExec(info.command, stream, abort.signal, interrupt.signal);
        });
      });
    });
  }

  /** Runs a command string in this host's shell (also how another simulated host's `ssh` reaches it). */
  runCommand(command: string, io: ShellIO): Promise<number> {
    return this.opts.world.runProcess(this.name, ["bash", "-c", command], () =>
      runShell(command, this.shellEnv(io.vars), io),
    );
  }

  /** The host's shell environment: its variables (and `vars`), its commands, its files. */
  private shellEnv(vars: Record<string, string> = {}): ShellEnv {
    const world = this.opts.world;
    const env: ShellEnv = {
      vars: {
        HOME: "/root",
        USER: this.opts.user,
        LOGNAME: this.opts.user,
        SHELL: "/bin/bash",
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        // a host installed in another language (/etc/default/locale): its tools print in it unless told LC_ALL=C
        ...(world.host(this.name).locale ? { LANG: world.host(this.name).locale! } : {}),
        ...vars,
      },
      // a host has its own toolstack's command; the others are "command not found" (exit 127), as on real hosts
      commands: {
        ...linuxCommands(world, this.name),
        test: testCommand(world, this.name),
        // QEMU's image tool: on the KVM hosts (Debian's qemu-utils beside libvirt), not on the Xen ones
        ...(world.host(this.name).kind === "kvm" ? { "qemu-img": qemuImgCommand(world, this.name) } : {}),
        [toolstackOf(world.host(this.name))]: toolstackCommands[toolstackOf(world.host(this.name))](world, this.name),
        ...this.opts.commands,
      },
      onCommand: (argv) => world.recordCommand(this.name, argv),
      readFile: (p) => readVirtualFile(world, world.host(this.name), p),
    };
    // sh -c SCRIPT [NAME [ARG…]]: a nested shell with positional parameters, as POSIX sh has it
    const sh: CommandFn = (argv, shIo) => {
      if (argv[1] !== "-c" || argv[2] === undefined) {
        shIo.err(`${argv[0]}: only -c SCRIPT is supported here\n`);
        return 2;
      }
      const positional = Object.fromEntries(argv.slice(4).map((a, i) => [String(i + 1), a]));
      return runShell(
        argv[2],
        { ...env, vars: { ...env.vars, ...shIo.vars, "0": argv[3] ?? argv[0], ...positional } },
        shIo,
      );
    };
    env.commands = { ...env.commands, sh, bash: sh };
    // every command is a process that `ps` lists while it runs (the shell itself as `bash -c …`)
    env.commands = Object.fromEntries(
      Object.entries(env.commands).map(([name, fn]) => [
        name,
        (argv: string[], cio: Parameters<CommandFn>[1]) => world.runProcess(this.name, argv, () => fn(argv, cio)),
      ]),
    );
    return env;
  }

  private async runExec(command: string, stream: ssh2.ServerChannel, signal: AbortSignal, interrupt: AbortSignal) {
    const { out, err, flush } = sshdWriter(stream, signal);
    let code = 1;
    try {
      code = await this.runCommand(command, { out, err, signal, interrupt });
    } catch (e) {
      err(`bash: internal error: ${(e as Error).message}\n`);
    }
    flush();
    if (signal.aborted) return;
    stream.exit(code);
    stream.end();
  }

  /**
   * `sh` with no script: it reads lines from the channel and runs each as it completes, carrying `$?` from one to the
   * next, until the client's EOF. Each line must be a whole command (Ferry's scripts are): one this shell cannot
   * parse ends it with status 2, as a syntax error ends a non-interactive sh.
   */
  private async runStdinShell(
    stream: ssh2.ServerChannel,
    signal: AbortSignal,
    interrupt: AbortSignal,
    vars: Record<string, string>,
  ) {
    this.opts.world.recordCommand(this.name, ["sh"]);
    const { out, err, flush } = sshdWriter(stream, signal);
    // one shell: its variables live from one line to the next
    const env = this.shellEnv(vars);
    const lines: string[] = [];
    let partial = "";
    let ended = false;
    let wake: (() => void) | null = null;
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => {
      const parts = (partial + d).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      wake?.();
    });
    stream.on("end", () => {
      ended = true;
      wake?.();
    });
    let status = 0;
    for (;;) {
      while (lines.length === 0 && !ended && !signal.aborted)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      wake = null;
      if (signal.aborted) return;
      // what has arrived whole runs as one script, in order, as sh would run it line after line
      const text = lines.splice(0).join("\n");
      if (!text.trim()) {
        if (ended) break;
        continue;
      }
      let script: ReturnType<typeof parseScript>;
      try {
        script = parseScript(text);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        err(`sh: 1: Syntax error: ${e.message}\n`);
        status = 2;
        break;
      }
      try {
        status = await this.opts.world.runProcess(this.name, ["sh"], () =>
          runParsedShell(script, env, { out, err, signal, interrupt, status }),
        );
      } catch (e) {
        err(`sh: internal error: ${(e as Error).message}\n`);
        status = 2;
      }
    }
    flush();
    if (signal.aborted) return;
    stream.exit(status);
    stream.end();
  }
}

/**
 * sshd reads a command's pipe in chunks and sends what has accumulated: output written in the same tick goes out as
 * one SSH data message (per stream), not one per write.
 */
function sshdWriter(stream: ssh2.ServerChannel, signal: AbortSignal) {
  let out = "";
  let err = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (signal.aborted) return;
    if (out) {
      stream.write(out);
      out = "";
    }
    if (err) {
      stream.stderr.write(err);
      err = "";
    }
  };
  const later = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    out: (t: string) => {
      out += t;
      later();
    },
    err: (t: string) => {
      err += t;
      later();
    },
    flush,
  };
}
