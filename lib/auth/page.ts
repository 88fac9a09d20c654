import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getServices } from "../runtime";
import { toAppError } from "../errors";
import { pagePolicy } from "./policy";
import { hasRole, type Access } from "./roles";
import { SESSION_COOKIE } from "./request";
import type { SessionInfo } from "./service";

/** The current session for a server component, or null (no cookie, unknown, expired). */
export async function currentSession(): Promise<{ session: SessionInfo | null; reason: string | null }> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return { session: null, reason: null };
  try {
    return { session: await getServices().auth.session(token), reason: null };
  } catch (e) {
    return { session: null, reason: toAppError(e).code };
  }
}

/** For a page: redirects to /login when signed out; `allowed` is false when the role is too low. */
export async function requirePage(
  path: keyof typeof pagePolicy,
  actualPath: string = path,
): Promise<{ session: SessionInfo; allowed: boolean }> {
  const { session, reason } = await currentSession();
  if (!session) redirect(`/login?next=${encodeURIComponent(actualPath)}${reason ? `&reason=${reason}` : ""}`);
  const need = pagePolicy[path] as Access;
  const allowed = need === "public" || need === "session" || hasRole(session.user.role, need);
  return { session, allowed };
}
