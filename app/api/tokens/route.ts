import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { createTokenSchema } from "@/lib/auth/schema";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /api/tokens – every API token (never the secret): whose, its role, when last used
export const GET = handler("GET /api/tokens", async () => ({ tokens: await getServices().tokens.list() }));

// POST /api/tokens {userId, name, role} – a new token, its secret in this answer only
export const POST = handler("POST /api/tokens", async (req, _ctx, call) => {
  if (call.session?.tokenName)
    throw new AppError("forbidden", "An API token cannot make tokens: an admin makes them on the Users page.");
  const input = await parseBody(req, createTokenSchema);
  const { token, view } = await getServices().tokens.create(input, call.session!.user.username);
  call.audit.target = `${view.username}/${view.name}`;
  call.audit.detail = { role: view.role };
  return { token, tokenInfo: view };
});
