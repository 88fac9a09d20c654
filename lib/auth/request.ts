import { parse as parseCookie } from "cookie";
import { AppError } from "../errors";
import { getServices } from "../runtime";
import type { SessionInfo } from "./service";
import { csrfMatches } from "./csrf";
import { normaliseAddress } from "./client-address";
import { hasRole, whoMay, type Access } from "./roles";

export const SESSION_COOKIE = "ferry_session";
export const CSRF_HEADER = "x-csrf-token";
/** set by server.ts, overwriting whatever the client sent: the client's address (lib/auth/client-address.ts) */
export const CLIENT_IP_HEADER = "x-ferry-client-ip";
/** set by server.ts, overwriting whatever the client sent: the TCP peer (the proxy, behind one) */
export const PEER_HEADER = "x-ferry-peer";

export function sessionToken(cookieHeader: string | null | undefined): string | undefined {
  return cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
}

/** The request's session, unless the route is public; 401 when there is none or it expired. */
export async function requestSession(req: Request, access: Access): Promise<SessionInfo | null> {
  if (access === "public") return null;
  const bearer = req.headers.get("authorization");
  if (bearer?.startsWith("Bearer ")) return getServices().tokens.session(bearer);
  return getServices().auth.session(sessionToken(req.headers.get("cookie")));
}

/** The role check, and on mutations the Origin and the CSRF token (a header only Ferry's pages send). */
export function checkAccess(req: Request, access: Access, session: SessionInfo | null): void {
  const mutating = req.method !== "GET" && req.method !== "HEAD";
  if (mutating) checkOrigin(req);
  if (!session) return;
  if (access !== "session" && access !== "public" && !hasRole(session.user.role, access)) {
    throw new AppError("forbidden", `Your role (${session.user.role}) cannot do this: ${whoMay(access)} can.`);
  }
  // an API token comes in a header no other site can make a browser send: no CSRF token to check
  if (mutating && !session.tokenName && !csrfMatches(session.csrfToken, req.headers.get(CSRF_HEADER))) {
    throw new AppError(
      "csrf_failed",
      "This request did not come from a Ferry page (missing or wrong CSRF token). Reload the page and try again.",
    );
  }
}

/**
 * Whether a request's Origin names another site than the one it reached. The Host a proxy forwards
 * (X-Forwarded-Host) counts only when the request came from the proxy configured in FERRY_TRUSTED_PROXY.
 */
export function foreignOrigin(h: {
  origin?: string | null;
  host?: string | null;
  forwardedHost?: string | null;
  peer?: string | null;
}): boolean {
  if (!h.origin) return false;
  const trusted = process.env.FERRY_TRUSTED_PROXY;
  const host = trusted && h.peer === normaliseAddress(trusted) && h.forwardedHost ? h.forwardedHost : h.host;
  try {
    return new URL(h.origin).host !== host;
  } catch {
    return true;
  }
}

/** A cross-site form or script carries a foreign Origin: refuse it before anything else. */
function checkOrigin(req: Request) {
  const origin = req.headers.get("origin");
  if (
    foreignOrigin({
      origin,
      host: req.headers.get("host"),
      forwardedHost: req.headers.get("x-forwarded-host"),
      peer: req.headers.get(PEER_HEADER),
    })
  )
    throw new AppError("csrf_failed", `Refused a request from another site (${origin}).`);
}

export function clientIp(req: Request): string {
  return req.headers.get(CLIENT_IP_HEADER) ?? "unknown";
}
