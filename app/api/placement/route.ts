import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

// GET /api/placement – per-domain priorities and maximum downtimes, and the affinity rules
export const GET = handler("GET /api/placement", async () => getServices().placement.settings());
