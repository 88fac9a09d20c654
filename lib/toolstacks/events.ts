import { z } from "zod";

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

const location = z.object({ host: z.string().nullable(), note: z.string() });
const n = z.number().nullable();
/** One `virsh domjobinfo` poll (final: `--completed` on the target after success). */
const jobInfoPayload = z.object({
  final: z.boolean(),
  iteration: n,
  elapsedMs: n,
  memoryProcessed: n,
  memoryRemaining: n,
  memoryTotal: n,
  bandwidthBps: n,
  dirtyPagesPerSec: n,
  pageSize: n,
  expectedDowntimeMs: n,
  totalDowntimeMs: n,
  throttlePercent: n,
  /** zero pages QEMU skipped (events stored before this field lack it) */
  zeroPages: n.optional(),
  /** the disks copied with the memory (libvirt's "File" figures), when there are */
  diskProcessed: n.optional(),
  diskRemaining: n.optional(),
  diskTotal: n.optional(),
  /** who reported the round ("Xen's libxc, from xend.log"); absent: QEMU through virsh */
  source: z.string().optional(),
  /** libxc's own figures for the round: pages sent and skipped, its last progress percentage */
  pagesSent: z.number().optional(),
  pagesSkipped: z.number().optional(),
  percent: n.optional(),
});
export type JobInfoPayload = z.infer<typeof jobInfoPayload>;

export const jobEventSchema = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("status"),
      payload: z.object({ status: z.enum(jobStatuses), message: z.string().optional() }),
    }),
    z.object({ type: z.literal("phase"), payload: z.object({}) }),
    z.object({ type: z.literal("log"), payload: z.object({ line: z.string() }) }),
    z.object({
      type: z.literal("checks"),
      payload: z.object({
        checks: z.array(
          z.object({ id: z.string(), label: z.string(), status: z.enum(["ok", "warn", "fail"]), reason: z.string() }),
        ),
        // the forecast again, when the checks found more than admission knew (disks to copy first): the job's own
        forecast: z
          .object({
            totalMs: z.number(),
            downtimeMs: z.number(),
            rounds: z.number(),
            verdict: z.string(),
            reason: z.string(),
          })
          .passthrough()
          .optional(),
      }),
    }),
    z.object({
      type: z.literal("sample"),
      payload: z.object({ bytesSent: z.number(), throughputBps: z.number(), elapsedMs: z.number() }),
    }),
    z.object({ type: z.literal("jobinfo"), payload: jobInfoPayload }),
    z.object({ type: z.literal("downtime"), payload: z.object({ ms: z.number(), upperBound: z.boolean() }) }),
    // a disk's copy about to be created on the target (stored before it is: a recovery after a restart removes what
    // the job created when the guest stayed on the source — lib/toolstacks/linux/disk-copies.ts)
    z.object({
      type: z.literal("disk-copy"),
      payload: z.object({
        host: z.string(),
        path: z.string(),
        vdev: z.string(),
        format: z.string(),
        virtualBytes: z.number(),
        allocatedBytes: z.number(),
        backing: z.object({ path: z.string(), format: z.string() }).optional(),
      }),
    }),
    // a disk file about to be copied to the target while the domain is stopped (a move by save/restore): stored before
    // the copy begins, so that a move closed after a restart removes a copy it did not finish (lib/jobs/kinds/move-recovery.ts)
    z.object({
      type: z.literal("disk-file-copy"),
      payload: z.object({ host: z.string(), path: z.string(), vdev: z.string(), bytes: z.number() }),
    }),
    // how much of a file copied to the target (a move's image, or a disk while the domain is stopped) is there so
    // far: the bytes it takes on the target's disk, asked while the copy runs (lib/jobs/kinds/copy-progress.ts)
    z.object({
      type: z.literal("file-progress"),
      payload: z.object({
        host: z.string(),
        path: z.string(),
        label: z.string(),
        copiedBytes: z.number(),
        bytes: z.number(),
      }),
    }),
    z.object({
      type: z.literal("result"),
      payload: z.object({
        status: z.enum(jobStatuses),
        errorCode: z.string().nullable(),
        errorMessage: z.string().nullable(),
        location,
      }),
    }),
  ])
  .and(z.object({ jobId: z.string(), seq: z.number().int(), at: z.string(), phase: z.enum(phases) }));

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
