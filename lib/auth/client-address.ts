import { isIP } from "node:net";

/** "::ffff:10.0.0.1" and "10.0.0.1" are one client. */
export function normaliseAddress(a: string | undefined | null): string {
  if (!a) return "unknown";
  const v4 = a.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  return v4 ? v4[1] : a;
}

/**
 * The client's address, on which login limits and the audit log key. It is the TCP peer's, unless that peer is
 * the reverse proxy named in FERRY_TRUSTED_PROXY: then it is the last address in X-Forwarded-For — the one the
 * proxy itself appended; anything before it came from the client and could be forged.
 */
export function clientAddress(
  peer: string | undefined | null,
  forwardedFor: string | string[] | undefined | null,
  trusted = process.env.FERRY_TRUSTED_PROXY,
): string {
  const p = normaliseAddress(peer);
  if (!trusted || p !== normaliseAddress(trusted) || !forwardedFor) return p;
  const joined = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  const last = joined
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  return last && isIP(normaliseAddress(last)) ? normaliseAddress(last) : p;
}
