import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { AppError } from "@/lib/errors";

type Ctx = { params: Promise<{ id: string }> };

// DELETE /api/tokens/:id – revoke a token at once
export const DELETE = handler("DELETE /api/tokens/[id]", async (_req, { params }: Ctx, call) => {
  if (call.session?.tokenName)
    throw new AppError("forbidden", "An API token cannot revoke tokens: an admin does on the Users page.");
  const view = await getServices().tokens.revoke((await params).id);
  call.audit.target = `${view.username}/${view.name}`;
  return { revoked: view };
});
