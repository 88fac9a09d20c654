import { describe, expect, it } from "vitest";
import { figuresOf } from "./figures";
import type { JobSummary } from "./types";

const job = (over: Partial<JobSummary>): JobSummary =>
  ({
    kind: "migrate",
    memoryMiB: 512,
    bytesSent: 0,
    status: "succeeded",
    finishedAt: "2026-11-30T16:00:00Z",
    downtimeMs: null,
    downtimeBound: false,
    targetName: "hostC",
    ...over,
  }) as JobSummary;
const now = { elapsedMs: 4000, throughputBps: 0, qemu: false };
const words = (j: JobSummary) =>
  figuresOf(j, now)
    .map((f) => `${f.label}: ${f.value} (${f.sub})`)
    .join(" | ");

describe("job page figures per kind", () => {
  it("a restore shows no bytes sent, no NIC; a move shows its outage; a migration keeps its figures", () => {
    const restore = words(job({ kind: "restore" }));
    expect(restore).not.toMatch(/Sent|NIC|Throughput/);
    expect(restore).toContain("Guest: running (on hostC)");
    const save = words(job({ kind: "save", bytesSent: 512 * 1048576 }));
    expect(save).toContain("Written: 512 MiB");
    expect(save).not.toMatch(/NIC|Sent/);
    expect(words(job({ kind: "move", downtimeMs: 2600, downtimeBound: true }))).toContain("Outage: ≤ 2.6 s");
    expect(words(job({ kind: "migrate", bytesSent: 600 * 1048576 }))).toMatch(/Sent: .*source NIC toward the target/);
  });
});
