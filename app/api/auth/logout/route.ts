import { NextResponse } from "next/server";
import { handler } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { SESSION_COOKIE } from "@/lib/auth/request";

// POST /api/auth/logout – end the session (its open sockets are disconnected) and clear the cookie
export const POST = handler("POST /api/auth/logout", async (_req, _ctx, call) => {
  await getServices().auth.logout(call.session!.id);
  const res = NextResponse.json({ ok: true });
  res.cookies.delete(SESSION_COOKIE);
  return res;
});
