import { AppError } from "../errors";

// The one place where argv becomes the command string an SSH exec request carries; the remote
// sshd hands that string to the user's shell, so every word is quoted for POSIX sh.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (arg.includes("\0"))
    throw new AppError("invalid_argument", "An argument contains a NUL byte, which no remote command can receive.");
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function buildCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError("invalid_argument", "Empty command.");
  return argv.map(quoteArg).join(" ");
}
