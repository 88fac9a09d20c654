import { AppError } from "@/lib/errors";
import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { auditFilterSchema, toAuditFilter } from "@/lib/audit/schema";
import { describeIssues } from "@/lib/hosts/schema";

// GET /api/audit?actor=&action=&outcome=&from=&to= – the audit log, newest first, filtered
export const GET = handler("GET /api/audit", async (req) => {
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new AppError("invalid_input", describeIssues(parsed.error));
  return { entries: await getServices().audit.list(toAuditFilter(parsed.data)) };
});
