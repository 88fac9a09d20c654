import { describe, expect, it } from "vitest";
import { agedUptime, agingFrom } from "./uptime";

describe("agedUptime", () => {
  const seenAt = "2026-12-07T12:00:00.000Z";
  const t = Date.parse(seenAt);
  it("adds the whole seconds since the host was read", () => {
    expect(agedUptime(600, seenAt, t + 5_900)).toBe(605);
    expect(agedUptime(600, seenAt, t + 3_600_000)).toBe(4_200);
  });
  it("never shows less than was read (a clock behind the server's, or no time read)", () => {
    expect(agedUptime(600, seenAt, t - 30_000)).toBe(600);
    expect(agedUptime(600, null, t + 5_000)).toBe(600);
  });
});

describe("agingFrom", () => {
  const lastSeenAt = "2026-12-07T12:00:00.000Z";
  it("ages a host's uptimes while it answers, not once it stopped (they are as last seen)", () => {
    expect(agingFrom({ status: "online", stale: false, lastSeenAt })).toBe(lastSeenAt);
    expect(agingFrom({ status: "unreachable", stale: true, lastSeenAt })).toBeNull();
    expect(agingFrom({ status: "connecting", stale: false, lastSeenAt: null })).toBeNull();
  });
});
