import { describe, expect, it } from "vitest";
import { StallWatch, stallPolicyOf } from "./stall";
import type { JobInfoPayload } from "./types";

const MiB = 1024 * 1024;
const poll = (iteration: number, remainingMiB: number) =>
  ({ final: false, iteration, memoryRemaining: remainingMiB * MiB }) as JobInfoPayload;

describe("StallWatch", () => {
  it("fires once after the stated time without progress, with the figures", () => {
    let t = 0;
    const w = new StallWatch({ afterMs: 10_000, action: "abort" }, () => t);
    expect(w.feed(poll(1, 2000))).toBeNull(); // first pass
    t = 3000;
    expect(w.feed(poll(1, 1000))).toBeNull(); // progress
    for (t = 4000; t < 13_000; t += 1000) expect(w.feed(poll(2 + t / 1000, 990 + (t % 3000) / 100))).toBeNull();
    t = 13_000;
    expect(w.feed(poll(20, 995))).toMatch(
      /^Pre-copy made no progress for 10 s: remaining memory has stayed at 990–995 MiB \(round 20\)\.$/,
    );
    t = 30_000;
    expect(w.feed(poll(30, 995))).toBeNull();
  });

  it("progress (a tenth less than the best so far) restarts the clock", () => {
    let t = 0;
    const w = new StallWatch({ afterMs: 10_000, action: "abort" }, () => t);
    w.feed(poll(1, 1000));
    t = 9000;
    expect(w.feed(poll(5, 880))).toBeNull();
    t = 18_000;
    expect(w.feed(poll(9, 870))).toBeNull();
    t = 19_001;
    expect(w.feed(poll(10, 870))).toMatch(/no progress for 10 s/);
  });

  it("defaults: two minutes, then abort", () => {
    expect(stallPolicyOf(undefined)).toEqual({ afterMs: 120_000, action: "abort" });
    expect(stallPolicyOf({ onStall: "postcopy", stallAfterSec: 30 })).toEqual({ afterMs: 30_000, action: "postcopy" });
  });
});
