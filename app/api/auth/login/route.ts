import { NextResponse } from "next/server";
import { handler, parseBody } from "@/lib/http/handler";
import { getServices } from "@/lib/runtime";
import { loginSchema } from "@/lib/auth/schema";
import { SESSION_COOKIE } from "@/lib/auth/request";

// POST /api/auth/login – check the password (rate-limited), set the httpOnly SameSite=Strict session cookie
export const POST = handler("POST /api/auth/login", async (req, _ctx, call) => {
  const input = await parseBody(req, loginSchema);
  call.audit.actor = input.username.trim().toLowerCase();
  call.audit.target = call.audit.actor;
  const { token, session } = await getServices().auth.login(input.username, input.password, call.ip);
  call.session = session;
  const res = NextResponse.json({ user: session.user });
  res.cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    expires: session.expiresAt,
    secure: new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https",
  });
  return res;
});
