import { describe, expect, it } from "vitest";
import { locateOnBoth, settlePatienceMs } from "./locate";
import type { CommandRunner } from "./types";

const ctx = (silentHostMs?: number) => ({
  source: {} as CommandRunner,
  target: {} as CommandRunner,
  sourceName: "hostB",
  targetName: "hostC",
  domain: "guest",
  silentHostMs,
});

describe("how long a migration waits for its domain to settle", () => {
  it("after a lost session, as long as the engine waits for a silent host; else 10 s", () => {
    expect(settlePatienceMs(ctx(20_000), true)).toBe(20_000);
    expect(settlePatienceMs(ctx(), true)).toBe(120_000);
    expect(settlePatienceMs(ctx(20_000), false)).toBe(10_000);
  });

  it("a domain still between hosts is reported once the engine's patience is over (drivers waited 2 min)", async () => {
    const c = ctx(300);
    const where = await locateOnBoth(c, settlePatienceMs(c, true), async () => ({
      id: 7,
      settled: false,
      shown: "migrating",
    }));
    expect(where.host).toBeNull();
    expect(where.note).toBe("guest is still between hosts (migrating / migrating); check both hosts.");
  });
});
