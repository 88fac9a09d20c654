import { z } from "zod";
import { capSchema, runRequestSchema } from "../evacuate/schema";
import { domainNameSchema } from "../toolstacks/names";

// What the balancing routes accept: bad input is refused with a sentence and changes nothing.

export const modeSchema = z.enum(["spread", "pack"], {
  error: "The mode is spread (even out the hosts) or pack (empty as many hosts as possible).",
});
export const headroomSchema = z
  .number({ error: "The headroom is a percentage of each host's memory." })
  .int("The headroom is a whole percentage.")
  .min(0, "The headroom is from 0 to 50 %.")
  .max(50, "The headroom is from 0 to 50 %.");
export const thresholdSchema = z
  .number({ error: "The threshold is a number of points of imbalance." })
  .min(0, "The threshold is from 0 to 50 points.")
  .max(50, "The threshold is from 0 to 50 points.");

/** A recommendation: nothing moves. Absent fields take the saved settings. */
export const balanceRequestSchema = z
  .object({
    mode: modeSchema.optional(),
    headroomPct: headroomSchema.optional(),
    thresholdPts: thresholdSchema.optional(),
    maxMoves: z
      .number({ error: "The most moves is a number." })
      .int("The most moves is a whole number.")
      .min(1, "A plan has at least 1 move.")
      .max(200, "A plan has at most 200 moves.")
      .optional(),
    cap: capSchema.optional(),
  })
  .strict();
export type BalanceRequest = z.infer<typeof balanceRequestSchema>;

/** Applying it: the moves the operator read, and (optionally) only some of them. */
export const balanceRunSchema = balanceRequestSchema
  .extend({
    expect: runRequestSchema.shape.expect,
    only: z
      .array(domainNameSchema, { error: "Send the moves to apply as a list of domain names (only: [...])." })
      .min(1, "Choose at least one move to apply.")
      .max(200)
      .optional(),
  })
  .strict();
export type BalanceRun = z.infer<typeof balanceRunSchema>;

export const balanceSettingsSchema = z
  .object({
    mode: modeSchema,
    headroomPct: headroomSchema,
    thresholdPts: thresholdSchema,
    guardMinutes: z
      .number({ error: "The guard is a number of minutes." })
      .int("The guard is a whole number of minutes.")
      .min(0, "The guard is from 0 to 10080 minutes (a week).")
      .max(10_080, "The guard is from 0 to 10080 minutes (a week)."),
    auto: z.boolean({ error: "Say auto: true or auto: false." }),
    everyMinutes: z
      .number({ error: "The interval is a number of minutes." })
      .int("The interval is a whole number of minutes.")
      .min(5, "The automatic mode runs at most every 5 minutes.")
      .max(1440, "The automatic mode runs at least once a day (1440 minutes)."),
  })
  .strict();
export type BalanceSettings = z.infer<typeof balanceSettingsSchema>;
