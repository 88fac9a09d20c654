import { z } from "zod";
import { dayRange, dayString, orderedRange } from "../dates";

// Audit filters from a query string (page or API). Empty fields mean "any".
const optional = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), s.optional());

export const auditFilterSchema = z
  .object({
    actor: optional(z.string().max(64, "The actor filter has at most 64 characters.")),
    action: optional(
      z
        .string()
        .max(64, "The action filter has at most 64 characters.")
        .regex(/^[a-z.-]*$/, "Actions look like host.add or user.role."),
    ),
    outcome: optional(z.enum(["ok", "refused", "failed"], { error: "The outcome is ok, refused or failed." })),
    from: optional(dayString),
    to: optional(dayString),
  })
  .refine(...orderedRange);

export type AuditQuery = z.infer<typeof auditFilterSchema>;

export function toAuditFilter(q: AuditQuery) {
  return {
    actor: q.actor,
    action: q.action,
    outcome: q.outcome,
    ...dayRange(q.from, q.to),
  };
}
