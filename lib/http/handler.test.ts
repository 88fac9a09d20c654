import { describe, expect, it } from "vitest";
import { handler } from "./handler";

describe("handler", () => {
  it("maps an AppError from another copy of the module to its status and code", async () => {
    // what a service error looks like inside a route bundle: same shape, different class
    class ForeignAppError extends Error { name = "AppError"; constructor(readonly code: string, m: string) { super(m); } }
    const res = await handler(async () => { throw new ForeignAppError("conflict", "A host named x already exists."); })(new Request("http://x/"), {});
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "A host named x already exists." } });
  });

  it("hides nothing of a validation error's reason and answers 400 for a non-JSON body", async () => {
    const { parseBody } = await import("./handler");
    const { scanHostSchema } = await import("../hosts/schema");
    const res = await handler(async (req) => parseBody(req, scanHostSchema))(new Request("http://x/", { method: "POST", body: "{nope" }), {});
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/not valid JSON/);
  });
});
