import { describe, expect, it } from "vitest";
import { forecastXen } from "./model";

const MiB = 1024 * 1024;
const gbit = 125_000_000;

describe("forecastXen", () => {
  it("a quiet 256 MiB guest over 1 Gbit/s: ~2.2 s, converging in a few rounds", () => {
    const f = forecastXen({ memoryBytes: 256 * MiB, dirtyBps: 20 * MiB, wwsBytes: 16 * MiB, bandwidthBps: gbit, handshakeMs: 80 });
    expect(f.verdict).toBe("converges");
    expect(f.totalMs).toBeGreaterThan(2100);
    expect(f.totalMs).toBeLessThan(2500);
    expect(f.rounds).toBeLessThanOrEqual(6);
    expect(f.downtimeMs).toBeLessThan(100);
  });

  it("a guest that dirties faster than the link never gets below 50 pages: Xen forces the stop", () => {
    const f = forecastXen({ memoryBytes: 1024 * MiB, dirtyBps: 200 * MiB, wwsBytes: 512 * MiB, bandwidthBps: gbit, handshakeMs: 80 });
    expect(f.verdict).toBe("will-not-converge");
    expect(f.rounds).toBe(6);
    expect(f.downtimeMs).toBeGreaterThan(3000);
    expect(f.reason).toMatch(/stand still for about \d/);
  });

  it("more bandwidth means less time and less downtime", () => {
    const slow = forecastXen({ memoryBytes: 512 * MiB, dirtyBps: 40 * MiB, wwsBytes: 64 * MiB, bandwidthBps: gbit / 10, handshakeMs: 80 });
    const fast = forecastXen({ memoryBytes: 512 * MiB, dirtyBps: 40 * MiB, wwsBytes: 64 * MiB, bandwidthBps: gbit, handshakeMs: 80 });
    expect(fast.totalMs).toBeLessThan(slow.totalMs);
    expect(fast.downtimeMs).toBeLessThanOrEqual(slow.downtimeMs);
  });
});
