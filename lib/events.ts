import { z } from "zod";
import type { HostView } from "./inventory/types";
import type { JobEvent, JobSummary } from "./jobs/types";
import type { TuneJobInput } from "./jobs/schema";
import type { ErrorCode } from "./errors";

// The socket.io event map, shared by server and client. Client → server payloads are validated
// with zod at the boundary (server.ts); server → client payloads are typed here.

export interface ServerToClientEvents {
  "inventory:snapshot": (hosts: HostView[]) => void;
  "inventory:host": (host: HostView) => void;
  "inventory:host-removed": (payload: { id: string }) => void;
  "inventory:refreshed": (payload: { at: string; ms: number }) => void;
  /** to the cluster room: every job's summary when it changes */
  "job:summary": (summary: JobSummary) => void;
  /** to job:<id> rooms: every event of that job, in seq order */
  "job:event": (event: JobEvent) => void;
}

export type Ack<T> = (reply: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }) => void;

export interface ClientToServerEvents {
  "inventory:refresh": (payload: unknown, ack?: Ack<{ ms: number }>) => void;
  /** join a job's room; the server first sends every event after `afterSeq` (catch-up after a reconnect) */
  "job:subscribe": (payload: unknown, ack?: Ack<{ summary: JobSummary; events: JobEvent[] }>) => void;
}

export const refreshRequestSchema = z.object({}).strict();
export const jobSubscribeSchema = z
  .object({ jobId: z.string().min(1).max(64), afterSeq: z.number().int().min(0) })
  .strict();

export const ROOM_CLUSTER = "cluster";

/** The answer a peer instance gives to a forwarded request. */
export type PeerAnswer = { ok: true; value: JobSummary } | { ok: false; code: ErrorCode; message: string } | null;

/** Between Ferry instances (several on PostgreSQL), through the socket.io adapter's serverSideEmit. */
export interface InterServerEvents {
  /** a host's view as the instance that refreshed it sees it */
  "ferry:host": (view: HostView) => void;
  "ferry:host-removed": (id: string) => void;
  /** cancel or tune a job: the instance that runs it answers, the others answer null */
  "ferry:cancel": (jobId: string, reply: (a: PeerAnswer) => void) => void;
  "ferry:tune": (req: { jobId: string; change: TuneJobInput; askedBy: string }, reply: (a: PeerAnswer) => void) => void;
}
