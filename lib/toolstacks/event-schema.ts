import { z } from "zod";
import { jobStatuses, phases } from "./events";

// The events a driver emits, as a schema: the one definition their types (./events.ts) are inferred from. Only
// types leave this file: the pages import ./events.ts, and zod stays out of the browser's first script.

const location = z.object({ host: z.string().nullable(), note: z.string() });
const n = z.number().nullable();
/** One `virsh domjobinfo` poll (final: `--completed` on the target after success). */
export const jobInfoPayload = z.object({
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
