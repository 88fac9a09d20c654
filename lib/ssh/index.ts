export { SshConnection, MAX_CHANNELS } from "./connection";
export { SshPool } from "./pool";
export { scanHostKey, type ScannedHostKey } from "./host-key";
export { buildCommand, quoteArg } from "./quote";
export { fingerprintOfKey } from "./fingerprint";
export type { SshTarget, SshAuth, ExecOptions, ExecResult, ConnectionState } from "./types";
