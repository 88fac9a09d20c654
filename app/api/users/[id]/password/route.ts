import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { resetPasswordSchema } from "@/lib/auth/schema";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/users/:id/password – an admin sets a user's password {password}; every session of that user ends
export const POST = handler("POST /api/users/[id]/password", async (req, { params }: Ctx, call) => {
  const { password } = await parseBody(req, resetPasswordSchema);
  const user = await getServices().auth.resetPassword((await params).id, password);
  call.audit.target = user.username;
  return { user };
});
