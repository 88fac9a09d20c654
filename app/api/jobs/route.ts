import type { JobSummary } from "@/lib/jobs/types";
import { AppError } from "@/lib/errors";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { describeIssues } from "@/lib/hosts/schema";
import { jobFilterSchema, submitJobSchema, toJobFilter } from "@/lib/jobs/schema";
import { listJobs } from "@/lib/jobs/store";
import { historyFigures, jobsToCsv } from "@/lib/jobs/history";

// GET /api/jobs?host=&domain=&status=&from=&to=&limit=&format=csv – job history, filtered, with summary figures
export const GET = handler("GET /api/jobs", async (req) => {
  const parsed = jobFilterSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new AppError("invalid_input", describeIssues(parsed.error));
  const jobs = await listJobs(getServices().db, toJobFilter(parsed.data), parsed.data.limit ?? 500);
  if (parsed.data.format === "csv") {
    return new Response(jobsToCsv(jobs), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="ferry-jobs.csv"',
      },
    });
  }
  return { jobs, figures: historyFigures(jobs) };
});

// POST /api/jobs – start a job: {kind:"migrate"|"move", domain, sourceId, targetId} · {kind:"save", domain, hostId, dir} · {kind:"restore", imageId, targetId, acknowledgeStale?}
export const POST = handler("POST /api/jobs", async (req, _ctx, call) => {
  const input = await parseBody(req, submitJobSchema);
  const { inventory, jobs } = getServices();
  const who = call.session!.user.username;
  const name = (id: string) => inventory.get(id)?.name ?? id;
  let job: JobSummary;
  if (input.kind === "save") {
    call.audit.target = input.domain;
    call.audit.detail = { kind: "save", host: name(input.hostId), dir: input.dir };
    job = await jobs.submitSave({ domain: input.domain, hostId: input.hostId, dir: input.dir, createdBy: who });
  } else if (input.kind === "restore") {
    call.audit.target = input.imageId;
    call.audit.detail = {
      kind: "restore",
      to: name(input.targetId),
      ...(input.acknowledgeStale ? { acknowledgedStale: true } : {}),
    };
    job = await jobs.submitRestore({
      imageId: input.imageId,
      targetId: input.targetId,
      createdBy: who,
      acknowledgeStale: input.acknowledgeStale === true,
    });
    call.audit.target = job.domainName;
  } else {
    call.audit.target = input.domain;
    call.audit.detail = { kind: input.kind, from: name(input.sourceId), to: name(input.targetId) };
    job =
      input.kind === "move"
        ? await jobs.submitMove({
            domain: input.domain,
            sourceId: input.sourceId,
            targetId: input.targetId,
            createdBy: who,
          })
        : await jobs.submit({
            domain: input.domain,
            sourceId: input.sourceId,
            targetId: input.targetId,
            createdBy: who,
            confirmWarnings: input.confirmWarnings,
            options: input.options,
          });
  }
  call.audit.detail = { ...call.audit.detail, jobId: job.id };
  return { job };
});
