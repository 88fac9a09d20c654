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
  const ends = new Map<string, (s: JobSummary) => void>();
  const engine = {
    async submit(req: { domain: string }) {
      started.push(req.domain);
      return { id: `job-${req.domain}` } as JobSummary;
    },
    whenFinished(id: string) {
      return new Promise<JobSummary>((resolve) => ends.set(id, resolve));
    },
  } as unknown as JobEngine;
  const finish = (domain: string) =>
    ends.get(`job-${domain}`)!({ id: `job-${domain}`, status: "succeeded" } as JobSummary);
  return { engine, started, finish };
}

const until = async (what: string, fn: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("EvacuationRunner", () => {
  it("a plan of one move per link starts a move only when no running move uses its links", async () => {
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
    const moves = [move("a", "s1", "t1"), move("b", "s2", "t2"), move("c", "s2", "t1")];
    const plan = { concurrency: 2, complete: true, oneMovePerLink: "host", moves: [] } as unknown as Plan;
    const row = await db.evacuation.create({
      data: {
        kind: "balance",
        hostId: "",
        hostName: "spread",
        status: "running",
        planJson: JSON.stringify(plan),
        movesJson: JSON.stringify(moves),
        createdBy: "test",
      },
    });
    const { engine, started, finish } = scriptedEngine();
    const done = new EvacuationRunner(db, engine).drive(row.id);
    await until("a and b to start", () => started.length === 2);
    expect(started).toEqual(["a", "b"]);
    // a ends: a slot is free, but c would share s2's link with b
    finish("a");
    // the loop has taken a's end (it writes it before it launches anything more)
    let saved: MoveState[] = [];
    while (!saved.some((m) => m.domain === "a" && m.state === "succeeded"))
      saved = JSON.parse((await db.evacuation.findUniqueOrThrow({ where: { id: row.id } })).movesJson);
    expect(started).toEqual(["a", "b"]);
    finish("b");
    await until("c to start", () => started.length === 3);
    finish("c");
    await done;
    const end = await db.evacuation.findUniqueOrThrow({ where: { id: row.id } });
    expect(end.status).toBe("finished");
  });
});
