import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/evacuations/:id – the board: each domain's move, the totals, the remaining time
export const GET = handler("GET /api/evacuations/[id]", async (_req, { params }: Ctx) => {
  const { id } = await params;
  return { evacuation: await getServices().evacuations.get(id) };
});
