import { describe, expect, it } from "vitest";
import { remaining } from "./remaining";

const MiB = 1024 * 1024;
const job = (o: Partial<Parameters<typeof remaining>[0]> = {}): Parameters<typeof remaining>[0] => ({
  kind: "migrate",
  status: "running",
  phase: "precopy",
  bytesSent: 0,
  memoryMiB: 1000,
  forecast: { totalMs: 20_000, downtimeMs: 50, rounds: 4, verdict: "ok", reason: "" },
  ...o,
});

describe("remaining time of a running job", () => {
  it("rests on the forecast before there is progress to speak of", () => {
    expect(remaining(job({ bytesSent: 5 * MiB }), 3000)).toEqual({ ms: 17_000, basis: "forecast" });
  });

  it("moves from the forecast to the progress as the first round goes on", () => {
    // half sent in 5 s: progress says 5 s more, the forecast 15 s; halfway, each counts half
    const r = remaining(job({ bytesSent: 500 * MiB }), 5000)!;
    expect(r.basis).toBe("forecast and progress");
    expect(r.ms).toBeCloseTo(0.5 * 15_000 + 0.5 * 5000, 0);
    // nearly all sent: nearly all progress
    expect(remaining(job({ bytesSent: 990 * MiB }), 9900)!.ms).toBeLessThan(300);
  });

  it("past the first round only the forecast speaks, and a late job is finishing, never negative", () => {
    expect(remaining(job({ bytesSent: 1400 * MiB }), 12_000)).toEqual({ ms: 8000, basis: "forecast" });
    expect(remaining(job({ bytesSent: 1400 * MiB }), 30_000)).toEqual({ ms: 0, basis: "forecast" });
    expect(remaining(job({ phase: "stop-and-copy", bytesSent: 1400 * MiB }), 5000)!.ms).toBe(0);
  });

  it("says no time while the rounds say pre-copy is not converging (it ends when something changes)", () => {
    expect(remaining(job({ bytesSent: 1400 * MiB }), 12_000, true)).toBeNull();
    // once it stops and copies, it is finishing again
    expect(remaining(job({ phase: "stop-and-copy", bytesSent: 1400 * MiB }), 12_000, true)!.ms).toBe(0);
  });

  it("a save estimates from its own progress; a restore and finished jobs say nothing", () => {
    expect(remaining(job({ kind: "save", forecast: null, bytesSent: 250 * MiB }), 2000)).toEqual({
      ms: 6000,
      basis: "progress",
    });
    expect(remaining(job({ kind: "save", forecast: null, bytesSent: 1 * MiB }), 2000)).toBeNull();
    expect(remaining(job({ kind: "restore", forecast: null }), 2000)).toBeNull();
    expect(remaining(job({ status: "succeeded" }), 2000)).toBeNull();
    expect(remaining(job({ kind: "move", phase: "activation", forecast: null }), 2000)).toBeNull();
  });

  it("a migration without a forecast uses its first round's progress only", () => {
    expect(remaining(job({ forecast: null, bytesSent: 200 * MiB }), 2000)).toEqual({ ms: 8000, basis: "progress" });
    expect(remaining(job({ forecast: null, bytesSent: 1200 * MiB }), 2000)).toBeNull();
  });
});
