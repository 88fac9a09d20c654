import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { createUserSchema } from "@/lib/auth/schema";

// GET /api/users – every user with role and last login (never a password hash)
export const GET = handler("GET /api/users", async () => ({ users: await getServices().auth.listUsers() }));

// POST /api/users – create a user with a role
export const POST = handler("POST /api/users", async (req, _ctx, call) => {
  const input = await parseBody(req, createUserSchema);
  call.audit.target = input.username;
  call.audit.detail = { role: input.role };
  return { user: await getServices().auth.createUser(input) };
});
