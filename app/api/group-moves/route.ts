import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { groupRunSchema } from "@/lib/evacuate/schema";

// POST /api/group-moves {domains, targetId?, cap?, expect:[{domain,target}]} – run the plan the operator read; it
// runs as an evacuation does (GET /api/evacuations/[id] follows it, POST …/stop stops it)
export const POST = handler("POST /api/group-moves", async (req, _ctx, call) => {
  const input = await parseBody(req, groupRunSchema);
  const { inventory, evacuations } = getServices();
  call.audit.target = input.targetId ? (inventory.get(input.targetId)?.name ?? input.targetId) : "anywhere that fits";
  call.audit.detail = {
    domains: input.domains.map((d) => d.domain),
    cap: input.cap ?? null,
    moves: input.expect.length,
  };
  return { evacuation: await evacuations.runGroup(input, call.session!.user.username) };
});
