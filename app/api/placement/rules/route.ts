import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { ruleSchema } from "@/lib/evacuate/schema";

// POST /api/placement/rules {name, kind: "anti-affinity"|"affinity", domains} – a rule every plan and drop respects
export const POST = handler("POST /api/placement/rules", async (req, _ctx, call) => {
  const input = await parseBody(req, ruleSchema);
  call.audit.target = input.name;
  call.audit.detail = { kind: input.kind, domains: input.domains };
  return getServices().placement.addRule(input, call.session!.user.username);
});
