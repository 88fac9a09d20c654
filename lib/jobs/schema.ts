import { dayRange, dayString, orderedRange } from "../dates";
import { z } from "zod";
import { domainNameSchema, imagePathSchema } from "../toolstacks/names";
import { jobStatuses } from "./types";

const hostId = z
  .string()
  .min(1, "Choose a host.")
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "A host id uses letters, digits, '_' and '-'.");

export const migrationTargetSchema = z
  .object({ domain: domainNameSchema, sourceId: hostId, targetId: hostId })
  .strict();
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "An id uses letters, digits, '_' and '-'.");
/** libvirt/QEMU's knobs (virsh migrate --bandwidth / --auto-converge / --postcopy, migrate-setmaxdowntime). */
export const migrationOptionsSchema = z
  .object({
    bandwidthMiBps: z
      .number({ error: "The bandwidth limit is a number of MiB/s." })
      .int("The bandwidth limit is a whole number of MiB/s.")
      .min(1, "The bandwidth limit is at least 1 MiB/s (leave it empty for no limit).")
      .max(100_000, "The bandwidth limit is at most 100000 MiB/s.")
      .optional(),
    maxDowntimeMs: z
      .number({ error: "The maximum downtime is a number of milliseconds." })
      .int("The maximum downtime is a whole number of milliseconds.")
      .min(1, "The maximum downtime is at least 1 ms.")
      .max(60_000, "The maximum downtime is at most 60000 ms.")
      .optional(),
    autoConverge: z.boolean().optional(),
    postcopy: z.boolean().optional(),
    // a migration that stops making progress is never left to run unattended: after this long without
    // progress Ferry aborts it, or switches it to post-copy if that was allowed
    onStall: z
      .enum(["abort", "postcopy"], { error: "When pre-copy stalls, Ferry can abort or switch to post-copy." })
      .optional(),
    stallAfterSec: z
      .number({ error: "The stall time is a number of seconds." })
      .int("The stall time is a whole number of seconds.")
      .min(10, "The stall time is at least 10 s.")
      .max(3600, "The stall time is at most 3600 s (an hour).")
      .optional(),
  })
  .strict()
  .refine((o) => o.onStall !== "postcopy" || o.postcopy === true, {
    error: "Switching to post-copy when pre-copy stalls needs post-copy allowed at launch (postcopy: true).",
    path: ["onStall"],
  });
export type MigrationOptionsInput = z.infer<typeof migrationOptionsSchema>;

/** The same target, with the options the operator is choosing (the forecast follows them). */
export const migrationCheckSchema = z
  .object({ domain: domainNameSchema, sourceId: hostId, targetId: hostId, options: migrationOptionsSchema.optional() })
  .strict();

/** One change to a running libvirt migration. */
export const tuneJobSchema = z.union(
  [
    z.object({ maxDowntimeMs: migrationOptionsSchema.shape.maxDowntimeMs.unwrap() }).strict(),
    z.object({ bandwidthMiBps: migrationOptionsSchema.shape.bandwidthMiBps.unwrap() }).strict(),
    z.object({ postcopy: z.literal(true, { error: "postcopy: true switches the migration to post-copy." }) }).strict(),
  ],
  { error: "Send one of: maxDowntimeMs (ms), bandwidthMiBps (MiB/s) or postcopy: true." },
);
export type TuneJobInput = z.infer<typeof tuneJobSchema>;

export const submitJobSchema = z.discriminatedUnion(
  "kind",
  [
    z
      .object({
        kind: z.literal("migrate"),
        domain: domainNameSchema,
        sourceId: hostId,
        targetId: hostId,
        confirmWarnings: z.boolean().default(false),
        options: migrationOptionsSchema.optional(),
      })
      .strict(),
    z.object({ kind: z.literal("save"), domain: domainNameSchema, hostId, dir: imagePathSchema }).strict(),
    z
      .object({
        kind: z.literal("restore"),
        imageId: id,
        targetId: hostId,
        // the domain ran since the image was made: the operator says they know its disks changed (audited)
        acknowledgeStale: z.boolean({ error: "acknowledgeStale is true or false." }).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("move"),
        domain: domainNameSchema,
        sourceId: hostId,
        targetId: hostId,
        // the guest is stopped from the save to the end of the restore: never on one click
        confirmOutage: z.literal(true, {
          error: "A move by save/restore stops the domain for the whole transfer: confirm it (confirmOutage: true).",
        }),
      })
      .strict(),
  ],
  { error: "The job kind is migrate, save, restore or move." },
);
export const restoreTargetSchema = z
  .object({
    imageId: id,
    targetId: hostId,
    acknowledgeStale: z.boolean({ error: "acknowledgeStale is true or false." }).optional(),
  })
  .strict();

const optional = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), s.optional());
export const jobFilterSchema = z
  .object({
    host: optional(z.string().max(63)),
    domain: optional(z.string().max(64)),
    status: optional(z.enum(jobStatuses, { error: `The outcome is one of: ${jobStatuses.join(", ")}.` })),
    from: optional(dayString),
    to: optional(dayString),
    format: optional(z.enum(["json", "csv"])),
    /** the newest this many (the task log asks for a page's worth) */
    limit: optional(
      z.coerce
        .number({ error: "The limit is a number of jobs." })
        .int("The limit is a whole number of jobs.")
        .min(1, "The limit is at least 1 job.")
        .max(500, "The limit is at most 500 jobs."),
    ),
  })
  .refine(...orderedRange);

export function toJobFilter(q: z.infer<typeof jobFilterSchema>) {
  return {
    host: q.host,
    domain: q.domain,
    status: q.status,
    ...dayRange(q.from, q.to),
  };
}
