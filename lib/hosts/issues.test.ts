import { describe, expect, it } from "vitest";
import { submitJobSchema } from "../jobs/schema";
import { describeIssues } from "./schema";

// A refused request says what is wrong in a sentence, also where zod speaks for itself (a missing or unknown field).

describe("refusals in words", () => {
  it("names a missing field, an unknown one, and a wrong type", () => {
    const r = submitJobSchema.safeParse({ kind: "restore", imageId: "img1", hostId: "h1" });
    expect(describeIssues(r.error!)).toBe("targetId is missing. Ferry does not take hostId here.");
    const t = submitJobSchema.safeParse({ kind: "save", domain: "web", hostId: 7, dir: "/x" });
    expect(describeIssues(t.error!)).toBe("hostId should be a string, not a number.");
  });
});
