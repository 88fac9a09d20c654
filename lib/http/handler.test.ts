import { beforeEach, describe, expect, it } from "vitest";
import { handler, parseBody } from "./handler";
import { setServices, type Services } from "../runtime";
import { AppError } from "../errors";
import type { AuditInput } from "../audit/service";
import { scanHostSchema } from "../hosts/schema";
import { claimErrors } from "../testing/log-claims";

// A stand-in for the running services: one session per token, and an audit log that keeps entries.
const records: AuditInput[] = [];
const sessions: Record<string, { role: "viewer" | "operator" | "admin" }> = {
  v: { role: "viewer" },
  a: { role: "admin" },
};
beforeEach(() => {
  records.length = 0;
  setServices({
    auth: {
      session: async (t?: string) => {
        const s = t ? sessions[t] : undefined;
        if (!s) throw new AppError("unauthorized", "Log in to use Ferry.");
        return {
          id: `s-${t}`,
          csrfToken: "csrf-ok",
          expiresAt: new Date(Date.now() + 1e6),
          user: { id: t, username: `user-${t}`, role: s.role },
        };
      },
    },
    audit: {
      record: async (e: AuditInput) => {
        records.push(e);
      },
    },
  } as unknown as Services);
});

const req = (token: string | null, init: RequestInit & { csrf?: string } = {}) =>
  new Request("http://ferry.test/api/x", {
    method: init.method ?? "POST",
    body: init.body ?? "{}",
    headers: {
      host: "ferry.test",
      ...(token ? { cookie: `ferry_session=${token}` } : {}),
      ...(init.csrf ? { "x-csrf-token": init.csrf } : {}),
      ...(init.headers as object),
    },
  });

describe("handler", () => {
  it("answers an unexpected error with a sentence, never its own text (a query, a stack)", async () => {
    const res = await handler("POST /api/hosts", async () => {
      throw new Error("Invalid `prisma.job.findMany()` invocation: { where: { createdAt: { gte: Invalid Date } } }");
    })(req("a", { csrf: "csrf-ok" }), {});
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("internal");
    expect(body.error.message).toMatch(/^Something went wrong on the server/);
    expect(JSON.stringify(body)).not.toMatch(/prisma|findMany|Invalid Date/);
    // the operator's log keeps what the client is not told: the route and the error itself
    const [logged, ...more] = claimErrors(/^route failed$/);
    expect(more).toEqual([]);
    expect(logged).toMatchObject({ route: "POST /api/hosts", err: { message: expect.stringMatching(/findMany/) } });
  });

  it("maps an AppError from another copy of the module to its status and code", async () => {
    // what a service error looks like inside a route bundle: same shape, different class
    class ForeignAppError extends Error {
      name = "AppError";
      constructor(
        readonly code: string,
        m: string,
      ) {
        super(m);
      }
    }
    const res = await handler("POST /api/hosts", async () => {
      throw new ForeignAppError("conflict", "A host named x already exists.");
    })(req("a", { csrf: "csrf-ok" }), {});
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "A host named x already exists." } });
    expect(records[0]).toMatchObject({ actor: "user-a", action: "host.add", outcome: "failed" });
  });

  it("gives the browser a conflict's job id to link to, and nothing else of an error's detail", async () => {
    const answer = async (detail: unknown) =>
      (
        await handler("POST /api/jobs", async () => {
          throw new AppError("conflict", "Busy.", detail);
        })(req("a", { csrf: "csrf-ok" }), {})
      ).json();
    expect(await answer({ jobId: "job1", stderr: "secret" })).toEqual({
      error: { code: "conflict", message: "Busy.", jobId: "job1" },
    });
    expect(await answer({ stderr: "secret" })).toEqual({ error: { code: "conflict", message: "Busy." } });
  });

  it("refuses anonymous (401), a viewer on an admin route (403), a missing CSRF token and a foreign Origin (403); audits each", async () => {
    let ran = 0;
    const h = handler("POST /api/hosts", async () => {
      ran++;
      return { ok: true };
    });
    expect((await h(req(null), {})).status).toBe(401);
    const viewer = await h(req("v", { csrf: "csrf-ok" }), {});
    expect(viewer.status).toBe(403);
    expect((await viewer.json()).error.message).toBe("Your role (viewer) cannot do this: admins can.");
    expect((await h(req("a"), {})).status).toBe(403);
    expect((await h(req("a", { csrf: "wrong" }), {})).status).toBe(403);
    expect((await h(req("a", { csrf: "csrf-ok", headers: { origin: "http://evil.test" } }), {})).status).toBe(403);
    expect(ran).toBe(0);
    expect(records.map((r) => [r.actor, r.outcome])).toEqual([
      ["anonymous", "refused"],
      ["user-v", "refused"],
      ["user-a", "refused"],
      ["user-a", "refused"],
      ["user-a", "refused"],
    ]);
    expect((await h(req("a", { csrf: "csrf-ok", headers: { origin: "http://ferry.test" } }), {})).status).toBe(200);
    expect(ran).toBe(1);
  });

  it("answers 400 for a non-JSON body", async () => {
    const res = await handler("POST /api/hosts/scan", async (r) => parseBody(r, scanHostSchema))(
      req("a", { csrf: "csrf-ok", body: "{nope" }),
      {},
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/not valid JSON/);
  });
});
