import type { IncomingHttpHeaders } from "node:http";

// The largest request body an API route takes: Ferry's forms and JSON requests are a few kB (an evacuation plan
// sent back to run it is the largest, tens of kB). Refused before anything reads or parses the body.
export const MAX_BODY_BYTES = 256 * 1024;

/** A refusal for a request whose body is too large or of unknown length, else null (GET/HEAD carry none). */
export function bodyRefusal(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
): { status: 411 | 413 | 415; code: string; message: string } | null {
  if (!url.startsWith("/api/") || method === "GET" || method === "HEAD" || method === "OPTIONS") return null;
  const length = headers["content-length"];
  if (length === undefined)
    return headers["transfer-encoding"]
      ? { status: 411, code: "length_required", message: "Send the request body with a Content-Length." }
      : null;
  const n = Number(length);
  if (!Number.isFinite(n) || n > MAX_BODY_BYTES)
    return {
      status: 413,
      code: "payload_too_large",
      message: `The request body is too large: Ferry takes at most ${MAX_BODY_BYTES / 1024} KiB.`,
    };
  // a body Ferry would parse as JSON must say it is JSON: text/plain and forms (what another site's page can send
  // without asking) are refused unread
  const type = String(headers["content-type"] ?? "")
    .split(";")[0]
    .trim()
    .toLowerCase();
  if (n > 0 && type !== "application/json")
    return {
      status: 415,
      code: "unsupported_media_type",
      message: "Ferry's API takes JSON bodies: send them with Content-Type: application/json.",
    };
  return null;
}
