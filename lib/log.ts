import pino, { type DestinationStream } from "pino";

/** Fields that may hold a secret anywhere in a log object; pino replaces them before writing. */
export const redactPaths = [
  "password",
  "*.password",
  "token",
  "*.token",
  "passwordHash",
  "*.passwordHash",
  "csrfToken",
  "*.csrfToken",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "privateKey",
  "*.privateKey",
];

/**
 * Where the log goes: stdout, and also the file FERRY_LOG_FILE names when it is set (appended; its directory made).
 * The e2e servers write one each, so the suite can fail on an error line nobody asked for (e2e/server-logs.ts).
 */
function destination(): DestinationStream | undefined {
  const file = process.env.FERRY_LOG_FILE;
  if (!file) return undefined;
  // each stream takes every level: the logger's own level (LOG_LEVEL) decides what is written
  return pino.multistream([
    { level: "trace", stream: process.stdout },
    { level: "trace", stream: pino.destination({ dest: file, mkdir: true, sync: true }) },
  ]);
}

export function createLogger(dest: DestinationStream | undefined = destination()) {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? "info",
      base: { app: "ferry" },
      redact: { paths: redactPaths, censor: "[redacted]" },
    },
    dest,
  );
}

/** Structured logs (JSON lines). Keys are referenced by path, never read into logs. */
export const log = createLogger();
