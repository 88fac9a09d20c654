import type http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client";
import type { AuthService } from "../auth/service";
import { rateLimited } from "../auth/service";
import type { AuditLog } from "../audit/service";
import { CLIENT_IP_HEADER, PEER_HEADER } from "../auth/request";
import { clientAddress, normaliseAddress } from "../auth/client-address";
import { apiRouteRefusal } from "../http/api-routes";
import { bodyRefusal } from "../http/body-limit";
import type { metricsAccess } from "../metrics";
import { log } from "../log";

// What every HTTP request meets before Next: the client's address stamped from the TCP peer, cheap refusals (a
// body over the limit, an address with no API, a login from an address out of attempts), health and metrics.
// Every refusal is JSON with a sentence (sendError).

export interface GateDeps {
  db: Db;
  auth: AuthService;
  audit: AuditLog;
  access: ReturnType<typeof metricsAccess>;
  /** the metrics in Prometheus' text format */
  scrape(res: http.ServerResponse): Promise<void>;
  /** several instances: which one answers, and whether it leads */
  instance: (() => { instance: string; leader: boolean }) | null;
  /** started (set once the server listens) */
  ready(): boolean;
  /** Next's handler */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

/** A refusal: JSON `{error: {code, message}}`, never cached; what the client sent is read and dropped. */
export function sendError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  error: { code: string; message: string },
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify({ error }));
  req.resume();
}

export function httpGate(deps: GateDeps): http.RequestListener {
  const { access } = deps;
  return (req, res) => {
    // rate limits and the audit log key on the TCP peer (or what the trusted proxy says the client is), never on a
    // header the client could forge
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"]);
    req.headers[PEER_HEADER] = normaliseAddress(req.socket.remoteAddress);
    // cheap refusals first: an API body over the limit is refused before anything reads it
    const refused = bodyRefusal(req.method ?? "GET", req.url ?? "/", req.headers);
    if (refused) return sendError(req, res, refused.status, { code: refused.code, message: refused.message });
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" || path === "/readyz") return void health(deps, path, res);
    if (path === "/metrics") {
      const given = req.headers.authorization ?? "";
      const allowed =
        access.mode === "token" &&
        given.length === access.token.length + 7 &&
        timingSafeEqual(Buffer.from(given), Buffer.from(`Bearer ${access.token}`));
      if (allowed) return void deps.scrape(res);
      return sendError(req, res, access.mode === "token" ? 401 : 404, {
        code: access.mode === "token" ? "unauthorized" : "not_found",
        message:
          access.mode === "token"
            ? "Send the metrics token: Authorization: Bearer <FERRY_METRICS_TOKEN>."
            : access.mode === "port"
              ? `Metrics are served on their own port (${access.port}).`
              : "Metrics are off: set FERRY_METRICS_TOKEN (or FERRY_METRICS=port) to turn them on.",
      });
    }
    // an address Ferry has no API at, or a method it does not take: a sentence, not Next's HTML page or empty 405
    const unknown = apiRouteRefusal(req.method ?? "GET", req.url ?? "/");
    if (unknown)
      return sendError(
        req,
        res,
        unknown.status,
        { code: unknown.code, message: unknown.message },
        unknown.allow ? { allow: unknown.allow } : {},
      );
    // a login from an address that has used up its attempts is refused here, before Next parses anything
    if (req.method === "POST" && req.url === "/api/auth/login") {
      const ip = req.headers[CLIENT_IP_HEADER] as string;
      void deps.auth.addressBlockedFor(ip).then((ms) => {
        if (ms === null) return void deps.handle(req, res);
        const e = rateLimited(ms);
        void deps.audit
          .recordRepeated({
            actor: "anonymous",
            action: "auth.login",
            outcome: "refused",
            detail: { code: e.code, message: e.message },
            ip,
          })
          .catch((err) => log.error({ err }, "audit write failed"));
        sendError(req, res, 429, { code: e.code, message: e.message });
      });
      return;
    }
    void deps.handle(req, res);
  };
}

/** Liveness (/healthz: the process answers) and readiness (/readyz: started, and the database answers). */
async function health(deps: GateDeps, path: string, res: http.ServerResponse) {
  let ok = true;
  let why = "Ferry is running.";
  if (path === "/readyz") {
    const ready = deps.ready();
    ok =
      ready &&
      (await deps.db.$queryRawUnsafe("SELECT 1").then(
        () => true,
        () => false,
      ));
    why = ok ? "Ferry is ready." : ready ? "The database does not answer." : "Ferry is starting.";
  }
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
  // several instances: which one answered, and whether it leads (refreshes the inventory for all)
  res.end(JSON.stringify({ status: ok ? "ok" : "unavailable", message: why, ...(deps.instance?.() ?? {}) }));
}
