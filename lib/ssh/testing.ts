import { AppError } from "../errors";

/** For tests: the AppError a promise rejects with (anything else fails the test, and so does no failure). */
export async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}
