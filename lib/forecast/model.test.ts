import { describe, expect, it } from "vitest";
import { forecastQemu, forecastXen } from "./model";

const MiB = 1024 * 1024;
const gbit = 125_000_000;

describe("forecastXen", () => {
  it("a quiet 256 MiB guest over 1 Gbit/s: ~2.2 s, converging in a few rounds", () => {
    const f = forecastXen({
      memoryBytes: 256 * MiB,
      dirtyBps: 20 * MiB,
      wwsBytes: 16 * MiB,
      bandwidthBps: gbit,
      handshakeMs: 80,
    });
    expect(f.verdict).toBe("converges");
    expect(f.totalMs).toBeGreaterThan(2100);
    expect(f.totalMs).toBeLessThan(2500);
    expect(f.rounds).toBeLessThanOrEqual(6);
    expect(f.downtimeMs).toBeLessThan(100);
  });

  it("a guest that dirties faster than the link never gets below 50 pages: Xen forces the stop", () => {
    const f = forecastXen({
      memoryBytes: 1024 * MiB,
      dirtyBps: 200 * MiB,
      wwsBytes: 512 * MiB,
      bandwidthBps: gbit,
      handshakeMs: 80,
    });
    expect(f.verdict).toBe("will-not-converge");
    expect(f.rounds).toBe(6);
    expect(f.downtimeMs).toBeGreaterThan(3000);
    expect(f.reason).toMatch(/stand still for about \d/);
  });

  it("more bandwidth means less time and less downtime", () => {
    const slow = forecastXen({
      memoryBytes: 512 * MiB,
      dirtyBps: 40 * MiB,
      wwsBytes: 64 * MiB,
      bandwidthBps: gbit / 10,
      handshakeMs: 80,
    });
    const fast = forecastXen({
      memoryBytes: 512 * MiB,
      dirtyBps: 40 * MiB,
      wwsBytes: 64 * MiB,
      bandwidthBps: gbit,
      handshakeMs: 80,
    });
    expect(fast.totalMs).toBeLessThan(slow.totalMs);
    expect(fast.downtimeMs).toBeLessThanOrEqual(slow.downtimeMs);
  });
});

describe("forecastQemu", () => {
  const base = {
    memoryBytes: 1024 * MiB,
    wwsBytes: 64 * MiB,
    bandwidthBps: gbit,
    handshakeMs: 20,
    maxDowntimeMs: 300,
    autoConverge: false,
  };
  it("a quiet guest converges once what is left fits 300 ms", () => {
    const f = forecastQemu({ ...base, dirtyBps: 30 * MiB });
    expect(f.verdict).toBe("converges");
    expect(f.downtimeMs).toBeLessThanOrEqual(300 + 20 + 10);
    expect(f.totalMs).toBeGreaterThan(((1024 * MiB) / gbit) * 1000);
  });
  it("a guest dirtying faster than the link: converges only with help, and says which", () => {
    const f = forecastQemu({ ...base, wwsBytes: 1024 * MiB, dirtyBps: 400 * MiB });
    expect(f.verdict).toBe("converges-with-help");
    expect(f.reason).toMatch(/Auto-converge/);
  });
  it("with auto-converge chosen, the same guest converges (throttled)", () => {
    const f = forecastQemu({ ...base, wwsBytes: 1024 * MiB, dirtyBps: 400 * MiB, autoConverge: true });
    expect(f.verdict).toBe("converges");
    expect(f.reason).toMatch(/throttled/);
  });
  it("a higher maximum downtime lets a moderately busy guest finish", () => {
    const busy = { ...base, wwsBytes: 200 * MiB, dirtyBps: 300 * MiB };
    expect(forecastQemu(busy).verdict).toBe("converges-with-help");
    expect(forecastQemu({ ...busy, maxDowntimeMs: 2000 }).verdict).toBe("converges");
  });

  it("zero pages QEMU skips shorten the first pass by their transfer time", () => {
    const base = {
      memoryBytes: 1024 * MiB,
      dirtyBps: 2 * MiB,
      wwsBytes: 16 * MiB,
      bandwidthBps: 100 * MiB,
      handshakeMs: 20,
      maxDowntimeMs: 300,
      autoConverge: false,
    };
    const plain = forecastQemu(base);
    const sparse = forecastQemu({ ...base, zeroBytes: 768 * MiB });
    expect(plain.perRound[0].bytes).toBe(1024 * MiB);
    expect(sparse.perRound[0].bytes).toBe(256 * MiB);
    expect(plain.totalMs - sparse.totalMs).toBeGreaterThan(7000); // 768 MiB at 100 MiB/s, less what fewer dirty pages save
  });
});
