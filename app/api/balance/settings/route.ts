import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { balanceSettingsSchema } from "@/lib/balance/schema";

// PUT /api/balance/settings {mode, headroomPct, thresholdPts, guardMinutes, auto, everyMinutes} – how the cluster is
// balanced, and the automatic mode (admins only: it moves domains with nobody at the screen)
export const PUT = handler("PUT /api/balance/settings", async (req, _ctx, call) => {
  const input = await parseBody(req, balanceSettingsSchema);
  call.audit.target = input.mode;
  call.audit.detail = { ...input };
  return { settings: await getServices().balanceSettings.set(input, call.session!.user.username) };
});
