import { parseScript, ShellSyntaxError, type Script, type SimpleCommand, type Word } from "./parse";

export interface CommandIO {
  stdin: string;
  out(text: string): void;
  err(text: string): void;
  /** aborted when the SSH channel closes */
  signal: AbortSignal;
  /** aborted on an SSH "signal" request (INT/TERM/KILL), the way Ctrl-C reaches a remote command */
  interrupt?: AbortSignal;
  /** the command's environment (the shell's variables and its own `NAME=value` prefixes): LANG, LC_ALL… */
  vars?: Record<string, string>;
}
export type CommandFn = (argv: string[], io: CommandIO) => Promise<number> | number;

export interface ShellEnv {
  vars: Record<string, string>;
  commands: Record<string, CommandFn>;
  /** Called with the argv of every command the shell runs, before it runs. */
  onCommand?(argv: string[]): void;
  readFile?(path: string): string | null;
  writeFile?(path: string, data: string, append: boolean): boolean;
}

interface State {
  env: ShellEnv;
  status: number;
  signal: AbortSignal;
  exited: boolean;
}

/**
 * Runs `src` as `bash -c src` would, writing to io.out/io.err; resolves to the exit status. `status` is the `$?` the
 * script starts with (a shell reading lines from its stdin carries it from one line to the next).
 */
export async function runShell(
  src: string,
  env: ShellEnv,
  io: Omit<CommandIO, "stdin"> & { stdin?: string; interrupt?: AbortSignal; status?: number },
): Promise<number> {
  let script: Script;
  try {
    script = parseScript(src);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    io.err(`bash: -c: line 1: ${e.message}\n`);
    return 2;
  }
  return runParsedShell(script, env, io);
}

/** Runs a script already parsed (a shell reading its stdin parses what arrived, and refuses what does not parse). */
export async function runParsedShell(
  script: Script,
  env: ShellEnv,
  io: Omit<CommandIO, "stdin"> & { stdin?: string; interrupt?: AbortSignal; status?: number },
): Promise<number> {
  const state: State = { env, status: io.status ?? 0, signal: io.signal, exited: false };
  await runScript(script, state, {
    stdin: io.stdin ?? "",
    out: io.out,
    err: io.err,
    signal: io.signal,
    interrupt: io.interrupt,
  });
  return state.status;
}

async function runScript(script: Script, st: State, io: CommandIO): Promise<void> {
  for (const andOr of script) {
    if (st.exited || io.signal.aborted) return;
    st.status = await runPipeline(andOr.first.commands, st, io);
    for (const { op, pipeline } of andOr.rest) {
      if (st.exited) return;
      if ((op === "&&") !== (st.status === 0)) continue;
      st.status = await runPipeline(pipeline.commands, st, io);
    }
  }
}

async function runPipeline(commands: SimpleCommand[], st: State, io: CommandIO): Promise<number> {
  let stdin = io.stdin;
  let status = 0;
  for (let i = 0; i < commands.length; i++) {
    const last = i === commands.length - 1;
    let captured = "";
    const out = last
      ? io.out
      : (t: string) => {
          captured += t;
        };
    status = await runCommand(commands[i], st, { stdin, out, err: io.err, signal: io.signal, interrupt: io.interrupt });
    stdin = captured;
  }
  return status;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

async function runCommand(cmd: SimpleCommand, st: State, io: CommandIO): Promise<number> {
  // leading NAME=value words (unquoted names) set the command's environment, as POSIX sh does
  const assigned: Record<string, string> = {};
  let first = 0;
  for (; first < cmd.words.length; first++) {
    const head = cmd.words[first][0];
    const m = head && head.kind === "text" && !head.quoted ? ASSIGNMENT.exec(head.text) : null;
    if (!m) break;
    const value = (await expandWord(cmd.words[first], st, io)).join(" ");
    assigned[m[1]] = value.slice(m[0].length);
  }
  const argv: string[] = [];
  for (const word of cmd.words.slice(first)) argv.push(...(await expandWord(word, st, io)));
  let { out, err, stdin } = io;
  for (const r of cmd.redirects) {
    const [target = ""] = await expandWord(r.target, st, io);
    if (r.op === ">&") {
      if (target !== "1" && target !== "2") {
        io.err(`bash: line 1: ${target}: ambiguous redirect\n`);
        return 1;
      }
      const dest = target === "1" ? out : err;
      if (r.fd === 2) err = dest;
      else out = dest;
    } else if (r.op === "<") {
      const data = target === "/dev/null" ? "" : (st.env.readFile?.(target) ?? null);
      if (data === null) {
        io.err(`bash: line 1: ${target}: No such file or directory\n`);
        return 1;
      }
      stdin = data;
    } else {
      let sink: (t: string) => void = () => {};
      if (target !== "/dev/null") {
        if (!st.env.writeFile?.(target, "", r.op === ">>")) {
          io.err(`bash: line 1: ${target}: Permission denied\n`);
          return 1;
        }
        sink = (t) => {
          st.env.writeFile?.(target, t, true);
        };
      }
      if (r.fd === 2) err = sink;
      else out = sink;
    }
  }
  if (argv.length === 0) {
    Object.assign(st.env.vars, assigned); // an assignment alone sets the shell's own variable
    return 0;
  }
  st.env.onCommand?.(argv);
  const sub: CommandIO = {
    stdin,
    out,
    err,
    signal: io.signal,
    interrupt: io.interrupt,
    vars: { ...st.env.vars, ...io.vars, ...assigned },
  };
  if (argv[0] === "exec") return argv.length > 1 ? dispatch(argv.slice(1), st, sub) : 0;
  if (argv[0] === "exit") {
    st.exited = true;
    return Number(argv[1] ?? st.status) & 255;
  }
  return dispatch(argv, st, sub);
}

async function dispatch(argv: string[], st: State, io: CommandIO): Promise<number> {
  const fn = Object.hasOwn(st.env.commands, argv[0]) ? st.env.commands[argv[0]] : undefined;
  if (!fn) {
    io.err(`bash: line 1: ${argv[0]}: command not found\n`);
    return 127;
  }
  return fn(argv, io);
}

async function expandWord(word: Word, st: State, io: CommandIO): Promise<string[]> {
  const fields: string[] = [];
  let cur = "";
  let have = false; // a quoted part makes a field even when empty ("")
  for (const part of word) {
    let value: string;
    if (part.kind === "text") value = part.text;
    else if (part.kind === "var") value = expandVar(part.name, st);
    else {
      let captured = "";
      const saved = st.status;
      await runScript(
        part.script,
        { ...st, exited: false },
        {
          ...io,
          stdin: "",
          out: (t) => {
            captured += t;
          },
        },
      );
      st.status = saved;
      value = captured.replace(/\n+$/, "");
    }
    if (part.quoted || part.kind === "text") {
      cur += value;
      have = true;
      continue;
    }
    // Unquoted expansion: split on IFS whitespace.
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (have || cur) fields.push(cur);
        cur = "";
        have = false;
      }
      if (piece) {
        cur += piece;
        have = true;
      }
    });
  }
  if (have || cur) fields.push(cur);
  return fields;
}

function expandVar(name: string, st: State): string {
  if (name === "?") return String(st.status);
  if (name === "$") return "4242";
  if (name === "#") return "0";
  return st.env.vars[name] ?? "";
}
