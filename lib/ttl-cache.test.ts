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
