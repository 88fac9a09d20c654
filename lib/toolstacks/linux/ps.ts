import type { CommandRunner } from "../types";

// "Is that command still running on the host?" — asked after Ferry lost sight of a save, restore or copy
// (a dropped SSH session does not stop the command on the host). procps prints the arguments joined by
// single spaces, unquoted, so a command is recognised by its whole argv joined the same way.

export const psArgv = ["ps", "-eo", "pid=,args="] as const;

/** `ps -eo pid=,args=` → the command line of every process (pid right-aligned, then one space). */
export function parsePs(stdout: string): { pid: number; args: string }[] {
  return stdout
    .split("\n")
    .map((l) => /^\s*(\d+) (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] }));
}

/** Whether a process with exactly this argv runs on the host; throws when the host cannot be asked. */
export async function isRunning(runner: CommandRunner, argv: readonly string[]): Promise<boolean> {
  const r = await runner.exec(psArgv, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`ps failed: ${r.stderr.trim()}`);
  const want = argv.join(" ");
  return parsePs(r.stdout).some((p) => p.args === want);
}
