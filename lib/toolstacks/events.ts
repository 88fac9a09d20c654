import type { z } from "zod";
import type { jobEventSchema, jobInfoPayload } from "./event-schema";

// The vocabulary a driver speaks while it runs a job — statuses, the phases of a live migration, the
// events it emits — and what it hands back. Below the drivers, so that lib/toolstacks never imports
// lib/jobs; the job engine, the socket and the pages use the same types (re-exported by lib/jobs/types).

export const jobStatuses = [
  "queued",
  "checking",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
] as const;
export type JobStatus = (typeof jobStatuses)[number];
export const finalStatuses: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "interrupted"];
export const isFinal = (s: JobStatus) => finalStatuses.includes(s);

/** The phases of a live migration (Clark et al., NSDI 2005), in order. */
export const phases = [
  "pre-migration",
  "reservation",
  "precopy",
  "stop-and-copy",
  "commitment",
  "activation",
  "done",
] as const;
export type JobPhase = (typeof phases)[number];
export const phaseIndex = (p: JobPhase) => phases.indexOf(p);

export const phaseWords: Record<JobPhase, string> = {
  "pre-migration": "Checks",
  reservation: "Reservation",
  precopy: "Pre-copy",
  "stop-and-copy": "Stop and copy",
  commitment: "Commitment",
  activation: "Activation",
  done: "Done",
};

export type JobInfoPayload = z.infer<typeof jobInfoPayload>;
export type JobEvent = z.infer<typeof jobEventSchema>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a driver emits it; the engine adds jobId, seq and at. */
export type JobEventInput = DistributiveOmit<JobEvent, "jobId" | "seq" | "at">;

/** Where the domain is, in words, and the host it runs on (null: on none, or unknown). */
export interface DomainLocation {
  host: string | null;
  note: string;
}

/** How a job step ended, as the driver saw it. */
export interface MigrationOutcome {
  status: "succeeded" | "failed" | "cancelled" | "interrupted";
  errorCode: import("../errors").ErrorCode | null;
  errorMessage: string | null;
  location: DomainLocation;
}
