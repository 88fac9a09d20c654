import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/jobs/:id/cancel – cancel before the point of no return (the domain stays on the source)
export const POST = handler("POST /api/jobs/[id]/cancel", async (_req, { params }: Ctx, call) => {
  const { id } = await params;
  call.audit.target = id;
  return { job: await getServices().jobs.cancel(id) };
});
