import { AppError } from "@/lib/errors";
import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { summaryOf } from "@/lib/jobs/store";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/jobs/:id – one job's summary and every event so far
export const GET = handler("GET /api/jobs/[id]", async (_req, { params }: Ctx) => {
  const { id } = await params;
  const { db, jobs } = getServices();
  const row = await db.job.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", "No such job.");
  return { job: summaryOf(row), events: await jobs.events(id, 0) };
});
