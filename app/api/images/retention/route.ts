import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

// GET /api/images/retention – the retention rules, what they would delete and what they flag, each directory's totals
export const GET = handler("GET /api/images/retention", async () => getServices().retention.review());
