import { describe, expect, it } from "vitest";
import { gapFiller } from "./gap-fill";
import type { JobEvent } from "./types";

const ev = (seq: number) =>
  ({
    jobId: "j",
    seq,
    at: new Date().toISOString(),
    phase: "precopy",
    type: "log",
    payload: { line: `${seq}` },
  }) as JobEvent;

describe("gapFiller", () => {
  it("in order: applies each event at once and asks for nothing", () => {
    let last = 0;
    const applied: number[] = [];
    const feed = gapFiller({
      lastSeq: () => last,
      apply: (es) =>
        es.forEach((e) => {
          applied.push(e.seq);
          last = e.seq;
        }),
      catchUp: async () => {
        throw new Error("not asked");
      },
    });
    for (const s of [1, 2, 3]) feed(ev(s));
    expect(applied).toEqual([1, 2, 3]);
  });

  it("a skipped seq: holds the live events, asks from the last held, applies all in order", async () => {
    let last = 2;
    const applied: number[] = [];
    const asked: number[] = [];
    let stored = [3, 4]; // the database has 3 and 4 by the second question
    let first = true;
    const feed = gapFiller({
      lastSeq: () => last,
      apply: (es) =>
        es.forEach((e) => {
          applied.push(e.seq);
          last = e.seq;
        }),
      catchUp: async (after) => {
        asked.push(after);
        if (first) {
          first = false;
          return [ev(3)].filter((e) => e.seq > after);
        } // 4 not written yet
        return stored.filter((s) => s > after).map(ev);
      },
      waitMs: () => 1,
    });
    feed(ev(5)); // 3 and 4 were missed
    feed(ev(6));
    await new Promise((r) => setTimeout(r, 20));
    expect(applied).toEqual([3, 4, 5, 6]);
    expect(asked).toEqual([2, 3]);
    stored = [];
    feed(ev(7));
    expect(applied.at(-1)).toBe(7);
  });
});
