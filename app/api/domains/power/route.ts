import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { powerRequestSchema } from "@/lib/domains/schema";

// POST /api/domains/power – {hostId, domain, action: start|shutdown|reboot}: a libvirt domain started, or asked to shut
// down or reboot; refused while a job works on it
export const POST = handler("POST /api/domains/power", async (req, _ctx, call) => {
  const input = await parseBody(req, powerRequestSchema);
  call.audit.target = input.domain;
  const { inventory, power } = getServices();
  call.audit.detail = { action: input.action, host: inventory.get(input.hostId)?.name ?? input.hostId };
  return { result: await power.act(input.hostId, input.domain, input.action) };
});
