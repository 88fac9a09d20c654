import { AppError } from "@/lib/errors";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { changePasswordSchema } from "@/lib/auth/schema";

// POST /api/auth/password – change one's own password {current, next}; one's other sessions end
export const POST = handler("POST /api/auth/password", async (req, _ctx, call) => {
  const session = call.session!;
  call.audit.target = session.user.username;
  if (session.tokenName)
    throw new AppError("forbidden", "A password is changed by its owner signed in, not with an API token.");
  const { current, next } = await parseBody(req, changePasswordSchema);
  await getServices().auth.changeOwnPassword(session.user.id, session.id, current, next);
  return { ok: true };
});
