import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { addHostSchema } from "@/lib/hosts/schema";

export const dynamic = "force-dynamic";

// GET /api/hosts – every host with its live status, facts and domains
export const GET = handler("GET /api/hosts", async () => ({ hosts: getServices().inventory.snapshot() }));

// POST /api/hosts – add a host with its accepted fingerprint; stored only if it answers
export const POST = handler("POST /api/hosts", async (req, _ctx, call) => {
  const input = await parseBody(req, addHostSchema);
  call.audit.target = input.name;
  call.audit.detail = { address: `${input.address}:${input.port}`, fingerprint: input.fingerprint };
  return { host: await getServices().hosts.add(input) };
});
