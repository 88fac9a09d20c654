import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvacuationWorld } from "../../sim/default-world";
import { startEvacuationWorld, type EvacuationWorld } from "./testing/evacuation-world";

// An evacuation one move at a time (src → t1, t2, t3: sim/default-world.ts), its next move started early to follow
// the running one onto the link, and the operator's Stop (let running moves finish) while that move waits: it is
// cancelled, having sent nothing; the running one finishes. Where each domain runs is asked of the simulated hosts.

let w: EvacuationWorld;
beforeAll(async () => {
  w = await startEvacuationWorld(createEvacuationWorld(), ["src", "t1", "t2", "t3"], []);
  w.sim.world.timeScale = 1; // real time: a 512 MiB move lasts about 4 s, long enough for the Stop to land
});
afterAll(() => w.stop());

const idOf = (name: string) => w.inventory.snapshot().find((h) => h.name === name)!.id;

describe("an evacuation's move that follows another onto the link", () => {
  it("Stop (let running moves finish) cancels it while it waits; the move it followed finishes", async () => {
    const { plan } = await w.evac.plan({ hostId: idOf("src"), kind: "evacuate", cap: 1 });
    expect(plan.concurrency).toBe(1);
    const run = await w.evac.run(
      {
        hostId: idOf("src"),
        kind: "evacuate",
        cap: 1,
        expect: plan.moves.map((m) => ({ domain: m.domain, target: m.target })),
      },
      "test",
    );
    // a move waits for its turn: its job has passed its checks and said so, and is not running yet
    let follower: { domain: string; jobId: string | null; after?: string[] } | undefined;
    for (const deadline = Date.now() + 30_000; !follower; ) {
      for (const m of (await w.evac.get(run.id)).moves.filter((x) => x.state === "running" && x.after?.length)) {
        const events = await w.engine.events(m.jobId!, 0);
        const waits = events.some((e) => e.type === "log" && /checks passed; waiting for/.test(String(e.payload.line)));
        if (waits && w.engine.activeSummaries().some((s) => s.id === m.jobId && s.status === "checking")) follower = m;
      }
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 25));
    }
    const ahead = (await w.evac.get(run.id)).moves.find((m) => m.jobId === follower!.after![0])!;
    await w.evac.stop(run.id, false);
    let view = await w.evac.get(run.id);
    for (const deadline = Date.now() + 60_000; ["running", "stopping"].includes(view.status); ) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
      view = await w.evac.get(run.id);
    }
    expect(view.status).toBe("stopped");
    const state = (domain: string) => view.moves.find((m) => m.domain === domain)!;
    expect(state(follower.domain).state).toBe("cancelled");
    expect(state(follower.domain).message).toMatch(/^Cancelled while waiting for .+ to leave the link\./);
    expect(state(ahead.domain).state).toBe("succeeded");
    // each domain runs once: the one that moved on its target, every other still on src
    for (const m of view.moves)
      expect(w.sim.world.locate(m.domain)).toEqual([m.state === "succeeded" ? m.target : "src"]);
    expect(view.moves.filter((m) => m.state === "succeeded")).toHaveLength(1);
  });
});
