import { z } from "zod";
import { domainNameSchema } from "../toolstacks/names";
import { powerActions } from "../toolstacks/types";

/** A power action on one domain of one host (POST /api/domains/power). */
export const powerRequestSchema = z
  .object({
    hostId: z
      .string()
      .min(1, "Choose a host.")
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, "A host id uses letters, digits, '_' and '-'."),
    domain: domainNameSchema,
    action: z.enum(powerActions, { error: "The action is start, shutdown or reboot." }),
  })
  .strict();
