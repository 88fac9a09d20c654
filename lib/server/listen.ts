import type { Server } from "node:net";

/**
 * Listens on host:port, or fails with a sentence an operator can act on (the port taken, an address this machine does
 * not have, a port it may not use). Without an "error" listener a failed listen is an uncaught exception, which
 * Next's handler logs while the process goes on, serving nothing.
 */
export function listenOn(server: Server, port: number, host: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `${what} cannot listen on ${where}: the port is already in use (another Ferry?). Stop it, or choose another port.`
            : e.code === "EADDRNOTAVAIL"
              ? `${what} cannot listen on ${where}: this machine has no such address.`
              : e.code === "EACCES"
                ? `${what} may not listen on ${where}: ports below 1024 need privileges.`
                : `${what} cannot listen on ${where}: ${e.message}`,
        ),
      );
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}
