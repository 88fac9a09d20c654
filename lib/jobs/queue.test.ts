import { afterEach, describe, expect, it, vi } from "vitest";
import { JobQueue, type QueuedJob } from "./queue";
import type { JobSummary } from "./types";

const job = (id: string): QueuedJob => ({ summary: { id, status: "queued" } as JobSummary, running: false });

function queueOf(slots: Record<string, string>, opts: { max?: number; gate?: (id: string) => Promise<boolean> } = {}) {
  const jobs = new Map(Object.keys(slots).map((id) => [id, job(id)]));
  const started: string[] = [];
  const gateAsked: [string, string, number][] = [];
  const queue = new JobQueue(jobs, {
    maxPerHost: opts.max ?? 2,
    hostGate: opts.gate
      ? (id, host, max) => {
          gateAsked.push([id, host, max]);
          return opts.gate!(id);
        }
      : null,
    start: (id) => started.push(id),
  });
  for (const [id, host] of Object.entries(slots)) queue.add(id, host);
  return { jobs, queue, started, gateAsked };
}

afterEach(() => vi.useRealTimers());

describe("the job queue: slots per host, counted by the id of the host where the work happens", () => {
  it("starts at most maxPerHost jobs on one host, and the rest when a slot frees", () => {
    const { jobs, queue, started } = queueOf({ j1: "hostC", j2: "hostC", j3: "hostC", j4: "hostB" }, { max: 2 });
    queue.pump();
    expect(started).toEqual(["j1", "j2", "j4"]);
    // j1 ends: the engine removes it, and j3 takes its slot
    jobs.delete("j1");
    queue.remove("j1");
    queue.pump();
    expect(started).toEqual(["j1", "j2", "j4", "j3"]);
  });

  it("counts jobs by host id, so two jobs on one host share its slots whatever their kinds", () => {
    const { queue, started } = queueOf({ save: "c", restore: "c", other: "b" }, { max: 1 });
    queue.pump();
    expect(started).toEqual(["save", "other"]);
  });

  it("with several instances, asks the host gate with the host's id and looks again a second after a refusal", async () => {
    vi.useFakeTimers();
    let allow = false;
    const { queue, started, gateAsked } = queueOf({ j1: "c" }, { gate: async () => allow });
    queue.pump();
    await vi.advanceTimersByTimeAsync(0);
    expect(gateAsked).toEqual([["j1", "c", 2]]);
    expect(started).toEqual([]);
    allow = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateAsked).toHaveLength(2);
    expect(started).toEqual(["j1"]);
  });

  it("after close() (a stop) starts nothing more: queued jobs stay queued for the next start", () => {
    const { queue, started, jobs } = queueOf({ j1: "c", j2: "b" });
    queue.close();
    queue.pump();
    expect(started).toEqual([]);
    expect([...jobs.values()].map((j) => j.running)).toEqual([false, false]);
  });
});
