import { z } from "zod";
import { domainNameSchema } from "../toolstacks/names";

// What the evacuation routes accept: bad input is refused with a sentence and changes nothing.

const hostId = z
  .string()
  .min(1, "Choose a host.")
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "A host id uses letters, digits, '_' and '-'.");

export const maintenanceSchema = z.object({ on: z.boolean({ error: "Say on: true or on: false." }) }).strict();

/** How many moves a plan may run at once, as the operator caps it (the page checks it as it is typed). */
export const capSchema = z
  .number({ error: "The cap is a number of moves at once." })
  .int("The cap is a whole number of moves at once.")
  .min(1, "The cap is at least 1 move at a time.")
  .max(16, "The cap is at most 16 moves at once.");
const cap = capSchema.optional();

export const planRequestSchema = z
  .object({
    hostId,
    kind: z.enum(["evacuate", "return"], { error: "The plan is an evacuation or a return home." }).default("evacuate"),
    cap,
  })
  .strict();
export type PlanRequest = z.infer<typeof planRequestSchema>;

/** Running a plan: the assignments the operator read (domain → target), so that a changed cluster is noticed. */
export const runRequestSchema = planRequestSchema
  .extend({
    expect: z
      .array(z.object({ domain: domainNameSchema, target: z.string().min(1).max(64) }).strict(), {
        error: "Send the plan's moves you read (expect: [{domain, target}]).",
      })
      .max(1000),
  })
  .strict();

/** Moving a selection of domains (from any hosts) to one host, or anywhere that fits: the plan first. */
export const groupRequestSchema = z
  .object({
    domains: z
      .array(z.object({ domain: domainNameSchema, hostId }).strict(), {
        error: "Send the selected domains as [{domain, hostId}].",
      })
      .min(1, "Select at least one domain.")
      .max(200, "Select at most 200 domains at once.")
      .refine(
        (d) => new Set(d.map((x) => x.domain)).size === d.length,
        "Two selected domains share a name: move one of them on its own.",
      ),
    /** absent: anywhere that fits */
    targetId: hostId.optional(),
    cap,
  })
  .strict();
export type GroupRequest = z.infer<typeof groupRequestSchema>;
export const groupRunSchema = groupRequestSchema.extend({ expect: runRequestSchema.shape.expect }).strict();

export const stopRequestSchema = z.object({ cancelRunning: z.boolean().default(false) }).strict();

export const domainSettingSchema = z
  .object({
    domain: domainNameSchema,
    priority: z
      .number({ error: "The priority is a number from 0 to 100." })
      .int("The priority is a whole number from 0 to 100.")
      .min(0, "The priority is from 0 to 100.")
      .max(100, "The priority is from 0 to 100."),
    maxDowntimeMs: z
      .number({ error: "The maximum downtime is a number of milliseconds." })
      .int("The maximum downtime is a whole number of milliseconds.")
      .min(10, "The maximum downtime is at least 10 ms.")
      .max(60_000, "The maximum downtime is at most 60000 ms.")
      .nullable()
      .default(null),
  })
  .strict();

export const ruleSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Name the rule.")
      .max(64, "A rule's name is at most 64 characters.")
      .regex(/^[\w .,:()-]+$/, "A rule's name uses letters, digits, spaces and . , : ( ) - _"),
    kind: z.enum(["anti-affinity", "affinity"], {
      error: "A rule keeps domains apart (anti-affinity) or together (affinity).",
    }),
    domains: z
      .array(domainNameSchema)
      .min(2, "A rule names at least two domains.")
      .max(50, "A rule names at most 50 domains.")
      .refine((d) => new Set(d).size === d.length, "A rule names each domain once."),
  })
  .strict();
export type RuleInput = z.infer<typeof ruleSchema>;
