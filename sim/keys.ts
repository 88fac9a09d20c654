import fs from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

const { utils } = ssh2;

/** Reads an OpenSSH ed25519 key pair from `file` (+ .pub), creating it 0600 on first use. */
export function ensureKeyPair(file: string, comment: string): { privateKey: string; publicKey: string } {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // ssh2 1.17 drops a leading zero byte of an ed25519 public key (about 1 key in 300), writing a
    // 31-byte key nothing can parse: generate again until the pair reads back.
    let pair = utils.generateKeyPairSync("ed25519", { comment });
    while (utils.parseKey(pair.public) instanceof Error) pair = utils.generateKeyPairSync("ed25519", { comment });
    fs.writeFileSync(file, pair.private, { mode: 0o600 });
    fs.writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
  }
  return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}
