import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEvacuationWorld } from "../../sim/default-world";
import { startEngineWorld, type EngineWorld } from "./testing/engine-world";
import { phaseIndex, type JobEvent } from "./types";

// A migration that follows another onto the link (MigrateRequest.after, an evacuation's next move): it checks while
// the other sends, sends only once the other has sent its memory, and a cancel while it waits leaves it untouched.
// Simulated Xen hosts with one uplink out of src (sim/default-world.ts), in real time so a transfer lasts seconds.

let w: EngineWorld;
beforeAll(async () => {
  w = await startEngineWorld(createEvacuationWorld(), ["src", "t1", "t2", "t3"], "follow");
  w.sim.world.timeScale = 1;
});
afterAll(() => w.stop());

const id = (name: string) => w.records.find((r) => r.name === name)!.id;
const migrate = (domain: string, target: string, after?: string[]) =>
  w.engine.submit({
    domain,
    sourceId: id("src"),
    targetId: id(target),
    createdBy: "test",
    confirmWarnings: true,
    ...(after ? { after } : {}),
  });
/** when the job's first event of one of these phases (or of this type) was recorded */
const firstAt = (events: JobEvent[], match: (e: JobEvent) => boolean) => {
  const e = events.find(match);
  if (!e) throw new Error("no such event");
  return Date.parse(e.at);
};

describe("a migration that follows another onto the link", () => {
  it("checks while the other sends, and sends once the other has sent its memory", async () => {
    // vm04 and vm08: 512 MiB each, over the 1 Gbit/s uplink about 4 s apiece
    const first = await migrate("vm04", "t1");
    const second = await migrate("vm08", "t2", [first.id]);
    expect((await w.finalOf(first.id)).status).toBe("succeeded");
    expect((await w.finalOf(second.id)).status).toBe("succeeded");
    const a = await w.engine.events(first.id, 0);
    const b = await w.engine.events(second.id, 0);
    const aSent = firstAt(a, (e) => phaseIndex(e.phase) >= phaseIndex("commitment"));
    // its checks were done while the first was still sending
    expect(firstAt(b, (e) => e.type === "checks")).toBeLessThan(aSent);
    expect(b.some((e) => e.type === "log" && /waiting for vm04 to finish sending/.test(String(e.payload.line)))).toBe(
      true,
    );
    // and nothing of its own went on the link before the first's memory had
    expect(firstAt(b, (e) => phaseIndex(e.phase) >= phaseIndex("reservation"))).toBeGreaterThanOrEqual(aSent);
    expect(w.sim.world.locate("vm04")).toEqual(["t1"]);
    expect(w.sim.world.locate("vm08")).toEqual(["t2"]);
  });

  it("cancelled while it waits: it ends cancelled, its domain untouched on the source; the other goes on", async () => {
    const first = await migrate("vm12", "t3");
    const second = await migrate("vm16", "t1", [first.id]);
    await vi.waitFor(
      async () => {
        const events = await w.engine.events(second.id, 0);
        expect(events.some((e) => e.type === "log" && /waiting for vm12/.test(String(e.payload.line)))).toBe(true);
      },
      { timeout: 10_000 },
    );
    await w.engine.cancel(second.id);
    const cancelled = await w.finalOf(second.id);
    expect([cancelled.status, cancelled.errorMessage]).toEqual([
      "cancelled",
      "Cancelled while waiting for vm12 to leave the link.",
    ]);
    expect(cancelled.locationHost).toBe("src");
    expect((await w.finalOf(first.id)).status).toBe("succeeded");
    expect(w.sim.world.locate("vm16")).toEqual(["src"]);
    expect(w.sim.world.locate("vm12")).toEqual(["t3"]);
  });
});
