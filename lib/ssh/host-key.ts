import net from "node:net";
import ssh2 from "ssh2";
import { AppError } from "../errors";
import { fingerprintOfKey, keyTypeOf } from "./fingerprint";

const { Client } = ssh2;

export interface ScannedHostKey {
  fingerprint: string;
  keyType: string;
}

/**
 * First contact: learns the host key a server offers, without authenticating, so the operator can
 * compare the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host.
 */
export function scanHostKey(address: string, port: number, timeoutMs = 8_000): Promise<ScannedHostKey> {
  return new Promise((resolve, reject) => {
    let done = false;
    const sock = net.connect({ host: address, port });
    sock.setNoDelay(true);
    const client = new Client();
    const finish = (err: AppError | null, value?: ScannedHostKey) => {
      if (done) return;
      done = true;
      client.end();
      sock.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    sock.setTimeout(timeoutMs, () =>
      finish(new AppError("ssh_timeout", `No SSH answer from ${address}:${port} within ${timeoutMs / 1000} s.`)),
    );
    sock.once("error", (e: NodeJS.ErrnoException) =>
      finish(
        e.code === "ECONNREFUSED"
          ? new AppError("ssh_connection_refused", `Connection refused by ${address}:${port}: is sshd running there?`)
          : e.code === "ENOTFOUND" || e.code === "EAI_AGAIN"
            ? new AppError("host_not_found", `The name ${address} does not resolve.`)
            : new AppError("host_unreachable", `Cannot reach ${address}:${port}: ${e.code ?? e.message}.`),
      ),
    );
    client.on("error", (e) =>
      finish(new AppError("ssh_disconnected", `${address}:${port} did not complete an SSH handshake: ${e.message}`)),
    );
    client.connect({
      sock,
      username: "ferry-host-key-scan",
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        finish(null, { fingerprint: fingerprintOfKey(key), keyType: keyTypeOf(key) });
        return false;
      },
    });
  });
}
