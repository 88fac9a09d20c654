import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { groupRequestSchema } from "@/lib/evacuate/schema";

// POST /api/group-moves/plan {domains:[{domain,hostId}], targetId?, cap?} – the dry run: where each selected domain
// would go (to targetId, or anywhere that fits), each move's forecast, what cannot go and why; nothing moves
export const POST = handler("POST /api/group-moves/plan", async (req) => {
  const input = await parseBody(req, groupRequestSchema);
  const { plan, targetName } = await getServices().evacuations.planGroup(input);
  return { plan, targetName };
});
