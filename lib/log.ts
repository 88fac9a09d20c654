import pino from "pino";

/** Structured logs (JSON lines). Never log secrets: keys are referenced by path, never read into logs. */
export const log = pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "ferry" } });
