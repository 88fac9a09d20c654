import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { balanceRequestSchema } from "@/lib/balance/schema";

// POST /api/balance/plan {mode?, headroomPct?, thresholdPts?, maxMoves?, cap?} – the dry run: which domain would go
// where and why (the imbalance before and after), each move's forecast, the order and concurrency; nothing moves
export const POST = handler("POST /api/balance/plan", async (req) => {
  const input = await parseBody(req, balanceRequestSchema);
  return getServices().balance.recommend(input);
});
