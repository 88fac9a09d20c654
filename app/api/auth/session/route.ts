import { handler } from "@/lib/http/handler";

// GET /api/auth/session – who is signed in, until when, and the CSRF token for this session's mutations
export const GET = handler("GET /api/auth/session", async (_req, _ctx, call) => {
  const s = call.session!;
  return { user: s.user, expiresAt: s.expiresAt.toISOString(), csrfToken: s.csrfToken };
});
