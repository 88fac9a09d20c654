import { describe, expect, it } from "vitest";
import { convergenceOf, roundsOf } from "./rounds";
import type { JobInfoPayload } from "./types";

const MiB = 1024 * 1024;
const poll = (iteration: number, remainingMiB: number, extra: Partial<JobInfoPayload> = {}): JobInfoPayload => ({
  final: false,
  iteration,
  elapsedMs: iteration * 1000,
  memoryProcessed: 0,
  memoryRemaining: remainingMiB * MiB,
  memoryTotal: 128 * MiB,
  bandwidthBps: 16 * MiB,
  dirtyPagesPerSec: 8192,
  pageSize: 4096,
  expectedDowntimeMs: 300,
  totalDowntimeMs: null,
  throttlePercent: null,
  ...extra,
});

describe("roundsOf", () => {
  it("keeps the last poll of each round, in order, and ignores the final --completed stats", () => {
    const r = roundsOf([poll(1, 100), poll(1, 80), poll(2, 30), poll(3, 10), { ...poll(3, 0), final: true }]);
    expect(r.map((x) => [x.round, x.remainingBytes / MiB])).toEqual([
      [1, 80],
      [2, 30],
      [3, 10],
    ]);
    expect(r[0].dirtyBps).toBe(32 * MiB);
  });
});

describe("convergenceOf", () => {
  it("waits for three rounds", () => {
    expect(convergenceOf(roundsOf([poll(1, 100), poll(2, 50)])).state).toBe("too-early");
  });
  it("sees shrinking remaining memory as converging", () => {
    expect(convergenceOf(roundsOf([poll(1, 100), poll(2, 50), poll(3, 20)])).state).toBe("converging");
  });
  it("says plainly when remaining memory stops shrinking, with the rates", () => {
    const c = convergenceOf(roundsOf([poll(1, 100), poll(2, 40), poll(3, 39), poll(4, 40), poll(5, 38)]));
    expect(c.state).toBe("not-converging");
    expect(c.reason).toMatch(
      /not shrunk over rounds 3–5 .*not converging\. The guest dirties 32 MiB\/s; the link carries 16 MiB\/s\./,
    );
  });
});
