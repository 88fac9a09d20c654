import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { domainSettingSchema } from "@/lib/evacuate/schema";

// PUT /api/placement/domains {domain, priority, maxDowntimeMs} – a domain's priority (moved first) and maximum downtime
export const PUT = handler("PUT /api/placement/domains", async (req, _ctx, call) => {
  const input = await parseBody(req, domainSettingSchema);
  call.audit.target = input.domain;
  call.audit.detail = { priority: input.priority, maxDowntimeMs: input.maxDowntimeMs };
  return getServices().placement.setDomain(input);
});
