import { AppError } from "@/lib/errors";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { describeIssues } from "@/lib/hosts/schema";
import { jobFilterSchema, submitMigrationSchema, toJobFilter } from "@/lib/jobs/schema";
import { listJobs } from "@/lib/jobs/store";
import { historyFigures, jobsToCsv } from "@/lib/jobs/history";

// GET /api/jobs?host=&domain=&status=&from=&to=&format=csv – job history, filtered, with summary figures
export const GET = handler("GET /api/jobs", async (req) => {
  const parsed = jobFilterSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new AppError("invalid_input", describeIssues(parsed.error));
  const jobs = await listJobs(getServices().db, toJobFilter(parsed.data));
  if (parsed.data.format === "csv") {
    return new Response(jobsToCsv(jobs), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="ferry-jobs.csv"' } });
  }
  return { jobs, figures: historyFigures(jobs) };
});

// POST /api/jobs – start a live migration {kind:"migrate", domain, sourceId, targetId, confirmWarnings}
export const POST = handler("POST /api/jobs", async (req, _ctx, call) => {
  const input = await parseBody(req, submitMigrationSchema);
  const { inventory, jobs } = getServices();
  call.audit.target = input.domain;
  call.audit.detail = { from: inventory.get(input.sourceId)?.name ?? input.sourceId, to: inventory.get(input.targetId)?.name ?? input.targetId };
  const job = await jobs.submit({ domain: input.domain, sourceId: input.sourceId, targetId: input.targetId, createdBy: call.session!.user.username, confirmWarnings: input.confirmWarnings });
  call.audit.detail = { ...call.audit.detail, jobId: job.id };
  return { job };
});
