import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { runRequestSchema } from "@/lib/evacuate/schema";
import { AppError } from "@/lib/errors";

// GET /api/evacuations?hostId= – the latest evacuations (and returns home), with each move's state
export const GET = handler("GET /api/evacuations", async (req) => {
  const hostId = new URL(req.url).searchParams.get("hostId") ?? undefined;
  if (hostId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(hostId))
    throw new AppError("invalid_input", "A host id uses letters, digits, '_' and '-'.");
  return { evacuations: await getServices().evacuations.list(hostId) };
});

// POST /api/evacuations {hostId, kind, cap?, expect:[{domain,target}]} – run the plan the operator read
export const POST = handler("POST /api/evacuations", async (req, _ctx, call) => {
  const input = await parseBody(req, runRequestSchema);
  const { inventory, evacuations } = getServices();
  call.audit.target = inventory.get(input.hostId)?.name ?? input.hostId;
  call.audit.detail = { kind: input.kind, cap: input.cap ?? null, moves: input.expect.length };
  return { evacuation: await evacuations.run(input, call.session!.user.username) };
});
