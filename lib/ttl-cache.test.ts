import { describe, expect, it, vi } from "vitest";
import { cachedFor } from "./ttl-cache";

describe("cachedFor", () => {
  it("measures a key once within the TTL, remembers a failure as null, and measures again after it", async () => {
    vi.useFakeTimers();
    const cached = cachedFor<number>(1000);
    let calls = 0;
    const measure = async () => ++calls;
    expect(await cached("a", measure)).toBe(1);
    expect(await cached("a", measure)).toBe(1);
    expect(await cached("b", measure)).toBe(2);
    expect(
      await cached("c", async () => {
        throw new Error("ssh failed");
      }),
    ).toBeNull();
    expect(await cached("c", measure)).toBeNull();
    vi.advanceTimersByTime(1001);
    expect(await cached("a", measure)).toBe(3);
    vi.useRealTimers();
  });
});

describe("cachedFor, asked again while measuring", () => {
  it("makes one measurement for callers that ask while it is under way, and all of them get its figure", async () => {
    const cached = cachedFor<number>(60_000);
    let calls = 0;
    let running = 0;
    let overlapped = false;
    // like QEMU's calc-dirty-rate: a second measurement while one runs is refused
    const measure = async () => {
      if (running) overlapped = true;
      running++;
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return overlapped ? null : 7;
    };
    const answers = await Promise.all([cached("h\0d", measure), cached("h\0d", measure), cached("h\0d", measure)]);
    expect(answers).toEqual([7, 7, 7]);
    expect(calls).toBe(1);
    expect(await cached("h\0d", measure)).toBe(7);
    expect(calls).toBe(1);
  });
});
