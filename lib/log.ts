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

export function createLogger(dest?: DestinationStream) {
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
