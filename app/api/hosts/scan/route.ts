import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { scanHostSchema } from "@/lib/hosts/schema";

// POST /api/hosts/scan – first contact: the host key's SHA256 fingerprint, for the operator to accept
export const POST = handler("POST /api/hosts/scan", async (req, _ctx, call) => {
  const input = await parseBody(req, scanHostSchema);
  call.audit.target = `${input.address}:${input.port}`;
  return getServices().hosts.scan(input);
});
