export type SshAuth = { kind: "key"; keyPath: string } | { kind: "agent" };

export interface SshTarget {
  address: string;
  port: number;
  user: string;
  auth: SshAuth;
  /** pinned SHA256 fingerprint; a different key refuses to connect */
  fingerprint: string;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** whole-command deadline, default 30 s */
  timeoutMs?: number;
  onStdoutLine?(line: string): void;
  onStderrLine?(line: string): void;
  /** when aborted, sends SIGINT over the channel (an SSH "signal" request) and keeps reading */
  interrupt?: AbortSignal;
  /** "job": a running job's command or poll, which may use the channels kept in reserve (default "normal") */
  lane?: "job" | "normal";
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export type ConnectionState = "idle" | "connecting" | "ready" | "backoff" | "closed";
