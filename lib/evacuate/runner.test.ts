import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import type { JobEngine } from "../jobs/engine";
import type { JobSummary } from "../jobs/types";
import type { Plan } from "./plan";
import { EvacuationRunner } from "./runner";
import type { MoveState } from "./types";

// The parent loop against an engine that starts nothing real: which moves it launches when, as jobs end.

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-runner-"));
  db = await openTestDatabase(dir);
});
afterAll(async () => {
  await closeTestDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An engine whose jobs end when the test says. */
function scriptedEngine() {
  const started: string[] = [];
  /** the jobs each move was started to follow onto the link */
  const following = new Map<string, string[]>();
  const ends = new Map<string, (s: JobSummary) => void>();
  const engine = {
    async submit(req: { domain: string; after?: string[] }) {
      started.push(req.domain);
      if (req.after) following.set(req.domain, req.after);
      return { id: `job-${req.domain}` } as JobSummary;
    },
    whenFinished(id: string) {
      return new Promise<JobSummary>((resolve) => ends.set(id, resolve));
    },
  } as unknown as JobEngine;
  const end = (domain: string, how: Partial<JobSummary>) =>
    ends.get(`job-${domain}`)!({ id: `job-${domain}`, ...how } as JobSummary);
  const finish = (domain: string) => end(domain, { status: "succeeded" });
  return { engine, started, following, finish, end };
}

const until = async (what: string, fn: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const move = (domain: string, from: string, target: string): MoveState => ({
  domain,
  from,
  fromId: from,
  target,
  targetId: target,
  state: "pending",
  jobId: null,
  message: null,
});

/** An evacuation row that runs `plan`, its moves as given (a balance has no host id, its mode for a name). */
const running = (kind: "evacuate" | "balance", name: string, plan: Plan, moves: MoveState[]) =>
  db.evacuation.create({
    data: {
      kind,
      hostId: kind === "balance" ? "" : name,
      hostName: name,
      status: "running",
      planJson: JSON.stringify(plan),
      movesJson: JSON.stringify(moves),
      createdBy: "test",
    },
  });

describe("EvacuationRunner", () => {
  it("a plan of one move per link starts a move when no running move uses its links, or early to follow the one that does", async () => {
    const moves = [move("a", "s1", "t1"), move("b", "s2", "t2"), move("c", "s2", "t1")];
    const plan = { concurrency: 2, complete: true, oneMovePerLink: "host", moves: [] } as unknown as Plan;
    const row = await running("balance", "spread", plan, moves);
    const { engine, started, following, finish } = scriptedEngine();
    const done = new EvacuationRunner(db, engine).drive(row.id);
    await until("a and b to start", () => started.length === 2);
    expect(started).toEqual(["a", "b"]);
    // c would share t1's link with a and s2's with b; it is into a's target, so it does not start early
    const saved = async () =>
      JSON.parse((await db.evacuation.findUniqueOrThrow({ where: { id: row.id } })).movesJson) as MoveState[];
    expect(following.size).toBe(0);
    // a ends: c's only link taken is b's (s2), into another target: c starts early, to follow b onto it
    finish("a");
    await until("c to start", () => started.length === 3);
    expect(following.get("c")).toEqual(["job-b"]);
    let now = await saved();
    while (!now.some((m) => m.domain === "c" && m.state === "running")) now = await saved();
    expect(now.find((m) => m.domain === "c")?.after).toEqual(["job-b"]);
    // b ends: c holds its place as any running move
    finish("b");
    while (now.find((m) => m.domain === "c")?.after) now = await saved();
    expect(now.find((m) => m.domain === "b")?.state).toBe("succeeded");
    finish("c");
    await done;
    const end = await db.evacuation.findUniqueOrThrow({ where: { id: row.id } });
    expect(end.status).toBe("finished");
  });

  it("a plan of one at a time: a waiting move follows the running one onto the link, into another target", async () => {
    const moves = [move("a", "s", "t1"), move("b", "s", "t2"), move("c", "s", "t2"), move("d", "s", "t3")];
    const plan = { concurrency: 1, complete: true, moves: [] } as unknown as Plan;
    const row = await running("evacuate", "s", plan, moves);
    const { engine, started, following, finish } = scriptedEngine();
    const done = new EvacuationRunner(db, engine).drive(row.id);
    // a runs; b (into t2) starts at once to follow it; c and d wait: one move follows at a time
    await until("a and b to start", () => started.length === 2);
    expect(following.get("b")).toEqual(["job-a"]);
    finish("a");
    // b now sends; c would go into b's target, so d (into t3) follows b instead
    await until("d to start", () => started.length === 3);
    expect(started[2]).toBe("d");
    expect(following.get("d")).toEqual(["job-b"]);
    finish("b");
    // then c follows d
    await until("c to start", () => started.length === 4);
    expect(following.get("c")).toEqual(["job-d"]);
    finish("d");
    finish("c");
    await done;
    expect((await db.evacuation.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("finished");
  });

  it("a follower a restart closed before it began is started again; one that ran and failed is not", async () => {
    const moves = [move("a", "s", "t1"), move("b", "s", "t2"), move("c", "s", "t3")];
    const row = await running("evacuate", "s", { concurrency: 1, complete: true, moves: [] } as unknown as Plan, moves);
    const { engine, started, following, finish, end } = scriptedEngine();
    const done = new EvacuationRunner(db, engine).drive(row.id);
    await until("a and b to start", () => started.length === 2);
    expect(following.get("b")).toEqual(["job-a"]);
    // b's job closed as after a restart while it waited: never started, its domain still on s
    end("b", { status: "interrupted", startedAt: null, locationHost: "s", errorMessage: "Closed after a restart." });
    await until("b to start again", () => started.length === 3);
    expect(started).toEqual(["a", "b", "b"]);
    finish("a");
    finish("b");
    await until("c to start", () => started.length === 4);
    // c ran and was interrupted: it is not tried again
    end("c", { status: "interrupted", startedAt: new Date().toISOString(), locationHost: "s" });
    await done;
    const last = await db.evacuation.findUniqueOrThrow({ where: { id: row.id } });
    expect(last.status).toBe("incomplete");
    expect((JSON.parse(last.movesJson) as MoveState[]).map((m) => [m.domain, m.state])).toEqual([
      ["a", "succeeded"],
      ["b", "succeeded"],
      ["c", "failed"],
    ]);
  });
});
