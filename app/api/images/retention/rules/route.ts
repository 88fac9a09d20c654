import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { ruleInputSchema, ruleWords } from "@/lib/images/retention";

// POST /api/images/retention/rules {scope: "dir"|"domain", value, keepLast?, olderThanDays?} – add a rule (it deletes
// nothing by itself: the list it proposes is reviewed, then applied)
export const POST = handler("POST /api/images/retention/rules", async (req, _ctx, call) => {
  const input = await parseBody(req, ruleInputSchema);
  call.audit.target = ruleWords(input);
  call.audit.detail = { keepLast: input.keepLast, olderThanDays: input.olderThanDays };
  return { rules: await getServices().retention.add(input, call.session!.user.username) };
});
