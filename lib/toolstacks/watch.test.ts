import { describe, expect, it } from "vitest";
import type { JobEventInput, JobPhase } from "./events";
import type { CommandRunner } from "./types";
import { NicSampler, OutsideDowntime, phaseSetter, pollEvery, sharedOutcome } from "./watch";

function recorder(initial: JobPhase = "precopy") {
  const events: JobEventInput[] = [];
  let phase = initial;
  return {
    events,
    emit: (e: JobEventInput) => {
      events.push(e);
      if (e.type === "phase") phase = e.phase;
    },
    phase: () => phase,
  };
}

describe("phaseSetter", () => {
  it("moves the phase forward only", () => {
    const r = recorder("precopy");
    const set = phaseSetter(r);
    set("reservation");
    set("stop-and-copy");
    set("precopy");
    expect(r.events.map((e) => e.phase)).toEqual(["stop-and-copy"]);
  });
});

describe("pollEvery", () => {
  it("ticks until stopped, and stop waits for the running tick", async () => {
    let ticks = 0;
    let inTick = false;
    let release: () => void = () => {};
    const secondStarted = new Promise<void>((r) => {
      release = r;
    });
    const loop = pollEvery(1, async () => {
      inTick = true;
      ticks++;
      if (ticks === 2) release();
      await new Promise((r) => setTimeout(r, 5));
      inTick = false;
    });
    await secondStarted;
    await loop.stop();
    expect(inTick).toBe(false);
    const after = ticks;
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).toBe(after);
  });
});

describe("NicSampler", () => {
  const host = (counters: string[]): CommandRunner => ({
    exec: async (argv) => {
      if (argv[0] === "ip") return { code: 0, stdout: "10.0.0.2 dev eth1 src 10.0.0.1\n", stderr: "" };
      const next = counters.shift();
      return next === undefined
        ? { code: 1, stdout: "", stderr: "gone" }
        : { code: 0, stdout: `${next}\n`, stderr: "" };
    },
  });

  it("reports bytes since it opened and never a negative throughput", async () => {
    const r = recorder();
    const nic = await NicSampler.open({ ...r, source: host(["1000", "5000", "4000"]), targetAddress: "10.0.0.2" });
    expect(nic.routed).toBe(true);
    const t = Date.now();
    nic.sample(await nic.read(), t + 1000);
    nic.sample(await nic.read(), t + 2000);
    nic.sample(await nic.read(), t + 3000); // the counter is gone: no sample
    const samples = r.events.filter((e) => e.type === "sample").map((e) => e.payload as Record<string, number>);
    expect(samples.map((p) => p.bytesSent)).toEqual([4000, 3000]);
    expect(samples[1].throughputBps).toBe(0);
    expect(samples[0].throughputBps).toBeGreaterThan(0);
  });

  it("samples nothing when the route cannot be read", async () => {
    const r = recorder();
    const source: CommandRunner = { exec: async () => ({ code: 2, stdout: "", stderr: "RTNETLINK answers" }) };
    const nic = await NicSampler.open({ ...r, source, targetAddress: "10.0.0.9" });
    expect(nic.routed).toBe(false);
    nic.sample(await nic.read(), Date.now());
    expect(r.events).toEqual([]);
  });
});

describe("OutsideDowntime", () => {
  it("measures from the suspension to the target's first running sighting", () => {
    const r = recorder();
    const d = new OutsideDowntime();
    d.sawSource(false, 100);
    d.sawSource(true, 200);
    d.sawSource(false, 250); // a later running sighting does not move the start back
    d.sawTargetRunning(450);
    d.sawTargetRunning(900);
    d.emit(r);
    expect(r.events).toEqual([{ type: "downtime", phase: "activation", payload: { ms: 250, upperBound: false } }]);
  });

  it("is an upper bound when no poll saw the source suspended", () => {
    const r = recorder();
    const d = new OutsideDowntime();
    d.sawSource(false, 100);
    d.sawTargetRunning(400);
    d.emit(r);
    expect(r.events[0].payload).toEqual({ ms: 300, upperBound: true });
  });
});

describe("sharedOutcome", () => {
  const ctx = (aborted: boolean) => ({
    cancel: aborted ? AbortSignal.abort() : new AbortController().signal,
    sourceName: "a",
    targetName: "b",
  });
  const at = (host: string | null) => ({ host, note: "" });

  it("does not believe a success the hosts do not confirm", () => {
    expect(sharedOutcome(ctx(false), { code: 0, tool: "xl migrate", location: at("b") })?.status).toBe("succeeded");
    const o = sharedOutcome(ctx(false), { code: 0, tool: "xl migrate", location: at(null) });
    expect(o?.status).toBe("interrupted");
    expect(o?.errorMessage).toMatch(/^xl migrate reported success, but/);
  });

  it("calls a cancel that left the domain on the source cancelled; other failures are the driver's to word", () => {
    expect(sharedOutcome(ctx(true), { code: 1, tool: "xm migrate", location: at("a") })?.status).toBe("cancelled");
    expect(sharedOutcome(ctx(true), { code: 1, tool: "xm migrate", location: at(null) })).toBeNull();
    expect(sharedOutcome(ctx(false), { code: 1, tool: "xm migrate", location: at("a") })).toBeNull();
  });
});
