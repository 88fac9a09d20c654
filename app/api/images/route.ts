import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

// GET /api/images – the saved-image catalog
export const GET = handler("GET /api/images", async () => ({ images: await getServices().jobs.catalog.list() }));
