import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { stopRequestSchema } from "@/lib/evacuate/schema";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/evacuations/:id/stop {cancelRunning?} – start nothing new; running moves finish (or are cancelled)
export const POST = handler("POST /api/evacuations/[id]/stop", async (req, { params }: Ctx, call) => {
  const { id } = await params;
  const { cancelRunning } = await parseBody(req, stopRequestSchema);
  call.audit.target = id;
  call.audit.detail = { cancelRunning };
  return { evacuation: await getServices().evacuations.stop(id, cancelRunning) };
});
