import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { balanceRunSchema } from "@/lib/balance/schema";
import { imbalanceHistory, pressureNow } from "@/lib/balance/history";

// GET /api/balance – each host's memory pressure now, the memory imbalance over the last day, the saved settings
export const GET = handler("GET /api/balance", async () => {
  const { inventory, db, balanceSettings } = getServices();
  return {
    hosts: pressureNow(inventory.snapshot()),
    history: await imbalanceHistory(db, 24 * 3600_000, 5 * 60_000),
    settings: await balanceSettings.get(),
  };
});

// POST /api/balance {mode?, headroomPct?, thresholdPts?, maxMoves?, cap?, expect:[{domain,target}], only?:[domain]}
// – apply the recommendation the operator read (all, or the moves in `only`); it runs as an evacuation does (GET
// /api/evacuations/[id] follows it, POST …/stop stops it)
export const POST = handler("POST /api/balance", async (req, _ctx, call) => {
  const input = await parseBody(req, balanceRunSchema);
  call.audit.target = input.mode ?? "saved mode";
  call.audit.detail = { moves: (input.only ?? input.expect.map((m) => m.domain)).length, only: input.only ?? null };
  return { evacuation: await getServices().balance.run(input, call.session!.user.username) };
});
