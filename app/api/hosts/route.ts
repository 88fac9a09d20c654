import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { addHostSchema } from "@/lib/hosts/schema";
import { hostsForRole } from "@/lib/inventory/for-role";

export const dynamic = "force-dynamic";

// GET /api/hosts – every host with its live status, facts and domains
export const GET = handler("GET /api/hosts", async (_req, _ctx, call) => ({
  hosts: hostsForRole(getServices().inventory.snapshot(), call.session?.user.role ?? "viewer"),
}));

// POST /api/hosts – add a host with its accepted fingerprint; stored only if it answers
export const POST = handler("POST /api/hosts", async (req, _ctx, call) => {
  const input = await parseBody(req, addHostSchema);
  call.audit.target = input.name;
  call.audit.detail = { address: `${input.address}:${input.port}`, fingerprint: input.fingerprint };
  return { host: await getServices().hosts.add(input) };
});
