import { timingSafeEqual } from "node:crypto";

/** Constant-time comparison of the session's CSRF token with the one a request carried. */
export function csrfMatches(expected: string, header: string | null): boolean {
  if (!header) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}
