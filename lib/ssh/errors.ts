import { AppError } from "../errors";

// What a command or a connection that failed says to the person who asked: a sentence and a code, never a stack.

export function abortError(user: AbortSignal | undefined, timeoutMs: number, label: string): AppError {
  return user?.aborted
    ? new AppError("aborted", `Command on ${label} was cancelled.`)
    : new AppError("ssh_timeout", `Command on ${label} did not finish within ${timeoutMs / 1000} s.`);
}

export function socketError(e: NodeJS.ErrnoException, address: string, port: number): AppError {
  switch (e.code) {
    case "ECONNREFUSED":
      return new AppError("ssh_connection_refused", `Connection refused by ${address}:${port}: is sshd running there?`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new AppError("host_not_found", `The name ${address} does not resolve.`);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new AppError("host_unreachable", `No route to ${address}.`);
    case "ETIMEDOUT":
      return new AppError("ssh_timeout", `No answer from ${address}:${port}.`);
    case "ECONNRESET":
      return new AppError("ssh_disconnected", `${address}:${port} closed the connection.`);
    default:
      return new AppError("ssh_disconnected", `SSH to ${address}:${port} failed: ${e.message}`);
  }
}
