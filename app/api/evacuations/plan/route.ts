import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { planRequestSchema } from "@/lib/evacuate/schema";

// POST /api/evacuations/plan {hostId, kind?: "evacuate"|"return", cap?} – the dry run: the plan, nothing moves
export const POST = handler("POST /api/evacuations/plan", async (req) => {
  const input = await parseBody(req, planRequestSchema);
  return { plan: (await getServices().evacuations.plan(input)).plan };
});
