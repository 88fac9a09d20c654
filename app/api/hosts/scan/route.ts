import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { scanHostSchema } from "@/lib/hosts/schema";

// POST /api/hosts/scan – first contact: the host key's SHA256 fingerprint, for the operator to accept
export const POST = handler(async (req) => getServices().hosts.scan(await parseBody(req, scanHostSchema)));
