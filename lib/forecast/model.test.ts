import { describe, expect, it } from "vitest";
import { type ForecastInput, forecastError, forecastQemu, forecastXen, suggestMaxDowntimeMs } from "./model";
import { widen } from "./inputs";
import { forecastRule } from "../checks/rules";

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
    expect(f.reason).toMatch(/auto-converge/);
    expect(f.help).toEqual({ autoConverge: true });
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

// issue 14, item 6: forecasts that do not contradict themselves
describe("an honest verdict", () => {
  const base = {
    memoryBytes: 1024 * MiB,
    wwsBytes: 64 * MiB,
    bandwidthBps: gbit,
    maxDowntimeMs: 300,
    autoConverge: false,
    dirtyBps: 30 * MiB,
  };
  it("never says a 1.3 s downtime fits 300 ms: the switch-over is counted, and the check asks", () => {
    const f = forecastQemu({ ...base, handshakeMs: 1000 });
    expect(f.downtimeMs).toBeGreaterThan(1000);
    expect(f.reason).not.toMatch(/fits the 300 ms/);
    expect(f.reason).toMatch(/Switching over adds about 1\.0 s .* more than the 300 ms maximum/);
    expect(forecastRule(f)).toMatchObject({ status: "warn", label: "Downtime within the maximum" });
    // with a short handshake the same guest is simply fine
    expect(forecastRule(forecastQemu({ ...base, handshakeMs: 20 })).status).toBe("ok");
  });

  it("'converges only with help' is a warning that names the help, and the help it names converges", () => {
    const busy = { ...base, handshakeMs: 20, wwsBytes: 60 * MiB, dirtyBps: 300 * MiB };
    const f = forecastQemu(busy);
    expect(f.verdict).toBe("converges-with-help");
    expect(forecastRule(f).status).toBe("warn");
    expect(f.help?.maxDowntimeMs).toBeGreaterThan(300);
    // the figures shown are the helped migration's, not 60 futile passes
    expect(f.rounds).toBeLessThan(60);
    const helped = forecastQemu({ ...busy, maxDowntimeMs: f.help!.maxDowntimeMs! });
    expect(helped.verdict).toBe("converges");
    expect(forecastRule(helped).status).toBe("ok");
  });

  it("suggests the maximum downtime the job page will suggest for the same steady state", () => {
    const busy = { ...base, handshakeMs: 20, wwsBytes: 60 * MiB, dirtyBps: 300 * MiB };
    const f = forecastQemu(busy);
    // the job page suggests suggestMaxDowntimeMs(QEMU's expected downtime) = what is left ÷ bandwidth
    const steadyMs = ((60 * MiB) / gbit) * 1000;
    expect(f.help?.maxDowntimeMs).toBe(suggestMaxDowntimeMs(steadyMs));
    expect(f.reason).toContain(`a maximum downtime of ${suggestMaxDowntimeMs(steadyMs)} ms`);
  });

  it("Xen's forced stop within the maximum downtime converges; over it, it needs a tick", () => {
    const quiet = forecastXen({
      memoryBytes: 1024 * MiB,
      dirtyBps: 40 * MiB,
      wwsBytes: 256 * MiB,
      bandwidthBps: gbit,
      handshakeMs: 80,
    });
    expect(quiet.verdict).toBe("converges");
    expect(quiet.reason).toMatch(/within the 300 ms maximum/);
    const busier = forecastXen({
      memoryBytes: 1024 * MiB,
      dirtyBps: 100 * MiB,
      wwsBytes: 256 * MiB,
      bandwidthBps: gbit,
      handshakeMs: 80,
    });
    expect(busier.downtimeMs).toBeGreaterThan(300);
    expect(busier.verdict).not.toBe("converges");
    expect(forecastRule(busier).status).toBe("warn");
  });

  it("an estimated dirty rate widens the forecast; a verdict that would not hold is not promised", () => {
    // the lab's case: a bandwidth-capped migration, page sampling reading a guest that rewrites the same memory
    const capped = { ...base, handshakeMs: 20, bandwidthBps: 10 * MiB, dirtyBps: 1 * MiB, wwsBytes: 16 * MiB };
    const model = (x: ForecastInput) => forecastQemu({ ...capped, ...x });
    const plain = model(capped);
    expect(plain.verdict).toBe("converges");
    const f = widen(plain, model, capped, "page sampling");
    expect(f.verdict).toBe("may-not-converge");
    expect(f.band?.dirtyBps).toBe(10 * MiB);
    expect(f.reason).toMatch(/The dirty rate is an estimate \(page sampling\)/);
    expect(forecastRule(f).status).toBe("warn");
    // a guest far below the link keeps its verdict, with the pessimistic side shown
    const calm = { ...base, handshakeMs: 20, dirtyBps: 1 * MiB, wwsBytes: 16 * MiB };
    const c = widen(forecastQemu(calm), (x) => forecastQemu({ ...calm, ...x }), calm, "page sampling");
    expect(c.verdict).toBe("converges");
    expect(c.band!.totalMs).toBeGreaterThanOrEqual(c.totalMs);
  });

  it("no error percentage against an upper bound", () => {
    const f = { totalMs: 10_000, downtimeMs: 200 };
    expect(forecastError(f, { durationMs: 8000, downtimeMs: 1100, downtimeBound: true })).toEqual({
      duration: 0.25,
      downtime: null,
      downtimeBounded: true,
    });
    expect(forecastError(f, { durationMs: 8000, downtimeMs: 100 }).downtime).toBe(1);
  });
});
