import fs from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

const { utils } = ssh2;

/** Reads an OpenSSH ed25519 key pair from `file` (+ .pub), creating it 0600 on first use. */
export function ensureKeyPair(file: string, comment: string): { privateKey: string; publicKey: string } {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    fs.writeFileSync(file, pair.private, { mode: 0o600 });
    fs.writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
  }
  return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}
