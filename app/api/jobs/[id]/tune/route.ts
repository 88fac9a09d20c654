import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { tuneJobSchema } from "@/lib/jobs/schema";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/jobs/:id/tune – help a running libvirt migration converge: {maxDowntimeMs} · {bandwidthMiBps} · {postcopy:true}
export const POST = handler("POST /api/jobs/[id]/tune", async (req, { params }: Ctx, call) => {
  const { id } = await params;
  const input = await parseBody(req, tuneJobSchema);
  call.audit.target = id;
  call.audit.detail = input;
  return { job: await getServices().jobs.tune(id, input) };
});
