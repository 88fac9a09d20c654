import { describe, expect, it } from "vitest";
import type { JobSummary } from "@/lib/jobs/types";
import { barWords, tasksShown } from "./task-log";

const job = (id: string, status: JobSummary["status"], createdBy = "alice", at = "2026-12-05T10:00:00Z") =>
  ({ id, status, createdBy, createdAt: at }) as JobSummary;

describe("the task log", () => {
  const jobs = [
    job("a", "succeeded", "alice", "2026-12-05T09:00:00Z"),
    job("b", "running", "bob", "2026-12-05T10:00:00Z"),
    job("c", "failed", "alice", "2026-12-05T09:30:00Z"),
    job("d", "queued", "alice", "2026-12-05T10:05:00Z"),
  ];
  it("keeps what the filter asks, newest first, and one user's when asked", () => {
    expect(tasksShown(jobs, "all", null).map((j) => j.id)).toEqual(["d", "b", "c", "a"]);
    expect(tasksShown(jobs, "running", null).map((j) => j.id)).toEqual(["d", "b"]);
    expect(tasksShown(jobs, "failed", null).map((j) => j.id)).toEqual(["c"]);
    expect(tasksShown(jobs, "all", "alice").map((j) => j.id)).toEqual(["d", "c", "a"]);
  });
  it("says on the bar what runs and what failed", () => {
    expect(barWords(jobs)).toBe("Tasks · 2 running, 1 failed");
    expect(barWords([job("a", "succeeded")])).toBe("Tasks");
  });
});
