import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { updateUserSchema } from "@/lib/auth/schema";

type Ctx = { params: Promise<{ id: string }> };

// PATCH /api/users/:id – change a user's role (the last admin stays admin)
export const PATCH = handler("PATCH /api/users/[id]", async (req, { params }: Ctx, call) => {
  const { role } = await parseBody(req, updateUserSchema);
  const user = await getServices().auth.setRole((await params).id, role);
  call.audit.target = user.username;
  call.audit.detail = { role };
  return { user };
});

// DELETE /api/users/:id – remove a user and end their sessions (never the last admin)
export const DELETE = handler("DELETE /api/users/[id]", async (_req, { params }: Ctx, call) => {
  const user = await getServices().auth.deleteUser((await params).id);
  call.audit.target = user.username;
  return { ok: true };
});
