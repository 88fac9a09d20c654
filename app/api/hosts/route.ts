import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { addHostSchema } from "@/lib/hosts/schema";

export const dynamic = "force-dynamic";

// GET /api/hosts – every host with its live status, facts and domains
export const GET = handler(async () => ({ hosts: getServices().inventory.snapshot() }));

// POST /api/hosts – add a host with its accepted fingerprint; stored only if it answers
export const POST = handler(async (req) => {
  const input = await parseBody(req, addHostSchema);
  return { host: await getServices().hosts.add(input) };
});
