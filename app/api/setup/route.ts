import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { setupSchema } from "@/lib/auth/schema";

// POST /api/setup – first start only: the one-time secret from the console creates the first admin
export const POST = handler("POST /api/setup", async (req, _ctx, call) => {
  const input = await parseBody(req, setupSchema);
  call.audit.actor = input.username;
  call.audit.target = input.username;
  const user = await getServices().auth.completeSetup(input.secret, input.username, input.password);
  return { user };
});
