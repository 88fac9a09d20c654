import { NextResponse } from "next/server";
import type { z } from "zod";
import { AppError, toAppError } from "../errors";
import { describeIssues } from "../hosts/schema";
import { routePolicy, type RouteKey } from "../auth/policy";
import { checkAccess, clientIp, requestSession } from "../auth/request";
import type { SessionInfo } from "../auth/service";
import { getServices } from "../runtime";
import { log } from "../log";

const INTERNAL_MESSAGE =
  "Something went wrong on the server; it is in the server's log. Try again, and tell an admin if it persists.";

/** What a route handler learns about its call, and what it tells the audit log. */
export interface Call {
  session: SessionInfo | null;
  ip: string;
  /** the handler names what it acted on (and any detail); the wrapper records the outcome */
  audit: { target?: string; detail?: Record<string, unknown>; actor?: string };
}

/**
 * Wraps a route handler: checks access from the one policy table (session, role, CSRF), runs it,
 * maps errors to {error:{code,message}} with their HTTP status, and audits every call of a
 * mutating route — succeeded, failed or refused.
 */
export function handler<C>(key: RouteKey, fn: (req: Request, ctx: C, call: Call) => Promise<unknown>) {
  const rule = routePolicy[key];
  return async (req: Request, ctx: C): Promise<Response> => {
    const call: Call = { session: null, ip: clientIp(req), audit: {} };
    let outcome: "ok" | "refused" | "failed" = "ok";
    let response: Response;
    try {
      call.session = await requestSession(req, rule.access);
      checkAccess(req, rule.access, call.session);
      const body = await fn(req, ctx, call);
      response = body instanceof Response ? body : NextResponse.json(body ?? { ok: true });
    } catch (e) {
      const err = toAppError(e);
      if (err.code === "internal") log.error({ err: e, route: key }, "route failed");
      outcome = err.status === 401 || err.status === 403 || err.status === 429 ? "refused" : "failed";
      // an unexpected error's own text (a query, a stack) is for the log, never for the browser
      const message = err.code === "internal" ? INTERNAL_MESSAGE : err.message;
      // of an error's detail only the job it names goes out (a conflict's holder, for a link): detail may hold stderr
      const jobId = (err.detail as { jobId?: unknown } | undefined)?.jobId;
      response = NextResponse.json(
        { error: { code: err.code, message, ...(typeof jobId === "string" ? { jobId } : {}) } },
        { status: err.status },
      );
      call.audit.detail = { ...call.audit.detail, code: err.code, message };
    }
    // every use of an API token is audited, reads included
    if ("audit" in rule || call.session?.tokenName) {
      const audit = getServices().audit;
      // a refused or failed login is nobody's yet: a flood of them is aggregated (one row a minute per address)
      const write =
        !call.session && outcome !== "ok" && key === "POST /api/auth/login" ? audit.recordRepeated : audit.record;
      await write
        .call(audit, {
          actor: call.session?.user.username ?? call.audit.actor ?? "anonymous",
          role: call.session?.user.role ?? null,
          action: "audit" in rule ? rule.audit : `api.read ${key.split(" ")[1]}`,
          target: call.audit.target ?? null,
          outcome,
          detail: call.session?.tokenName
            ? { ...call.audit.detail, token: call.session.tokenName }
            : (call.audit.detail ?? null),
          ip: call.ip,
        })
        .catch((e) => log.error({ err: e }, "audit write failed"));
    }
    return response;
  };
}

/** Parses a JSON body with a zod schema; a bad body is a 400 with the reasons in words. */
export async function parseBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  let json: unknown;
  try {
    json = await req.json();
  } catch {
    throw new AppError("invalid_input", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError("invalid_input", describeIssues(parsed.error));
  return parsed.data;
}
