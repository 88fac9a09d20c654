import { describe, expect, it } from "vitest";
import { jobFilterSchema } from "./jobs/schema";
import { auditFilterSchema } from "./audit/schema";
import { describeIssues } from "./hosts/schema";

describe("day filters", () => {
  it("refuse days that do not exist (they reached the database as Invalid Date and came back as a 500)", () => {
    for (const schema of [jobFilterSchema, auditFilterSchema]) {
      for (const bad of ["2026-13-45", "2026-02-30", "2025-02-29", "2026-1-5", "yesterday"]) {
        const r = schema.safeParse({ from: bad });
        expect(r.success, bad).toBe(false);
        expect(describeIssues(r.error!)).toContain("Dates are real days written like 2026-11-25.");
      }
      expect(schema.safeParse({ from: "2024-02-29", to: "2026-11-30" }).success).toBe(true);
      const reversed = schema.safeParse({ from: "2026-11-30", to: "2026-11-01" });
      expect(describeIssues(reversed.error!)).toContain("The start date is after the end date.");
    }
  });
});
