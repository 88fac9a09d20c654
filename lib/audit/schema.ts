import { z } from "zod";

// Audit filters from a query string (page or API). Empty fields mean "any".
const optional = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), s.optional());

export const auditFilterSchema = z.object({
  actor: optional(z.string().max(64, "The actor filter has at most 64 characters.")),
  action: optional(
    z
      .string()
      .max(64, "The action filter has at most 64 characters.")
      .regex(/^[a-z.-]*$/, "Actions look like host.add or user.role."),
  ),
  outcome: optional(z.enum(["ok", "refused", "failed"], { error: "The outcome is ok, refused or failed." })),
  from: optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Dates look like 2026-11-25.")),
  to: optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Dates look like 2026-11-25.")),
});

export type AuditQuery = z.infer<typeof auditFilterSchema>;

export function toAuditFilter(q: AuditQuery) {
  return {
    actor: q.actor,
    action: q.action,
    outcome: q.outcome,
    from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to: q.to ? new Date(`${q.to}T23:59:59.999Z`) : undefined,
  };
}
