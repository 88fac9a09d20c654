import { createHash } from "node:crypto";

/** "SHA256:" + unpadded base64 of the SSH wire-format key: the text `ssh-keygen -l` prints. */
export function fingerprintOfKey(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside an SSH wire-format public key (e.g. ssh-ed25519). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString("ascii");
}
