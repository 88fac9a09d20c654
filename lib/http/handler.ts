import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, toAppError } from "../errors";
import { describeIssues } from "../hosts/schema";

/** Wraps a route handler: AppError → JSON {error:{code,message}} with its HTTP status. */
export function handler<C>(fn: (req: Request, ctx: C) => Promise<unknown>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      const body = await fn(req, ctx);
      return body instanceof Response ? body : NextResponse.json(body ?? { ok: true });
    } catch (e) {
      const err = toAppError(e);
      if (err.code === "internal") console.error(e);
      return NextResponse.json({ error: { code: err.code, message: err.message } }, { status: err.status });
    }
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
