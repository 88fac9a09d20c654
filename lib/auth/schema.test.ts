import { describe, expect, it } from "vitest";
import { newPasswordSchema } from "./schema";

describe("a new password", () => {
  const problem = (p: string) => newPasswordSchema.safeParse(p).error?.issues[0]?.message ?? null;

  it("is 12 characters or more, and not spaces or one key held down", () => {
    expect(problem("correct horse battery")).toBeNull();
    expect(problem("short")).toBe("A password has at least 12 characters.");
    expect(problem(" ".repeat(12))).toBe("A password has at least 4 different characters besides spaces.");
    expect(problem("aaaaaaaaaaaaaaaa")).toBe("A password has at least 4 different characters besides spaces.");
    expect(problem("ab ab ab ab ab ")).toBe("A password has at least 4 different characters besides spaces.");
  });
});
