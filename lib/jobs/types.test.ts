import { describe, expect, it } from "vitest";
import { applyJobEvent, initialJobView, jobAbilities, type JobEvent, type JobSummary } from "./types";

const summary: JobSummary = {
  id: "j1",
  kind: "migrate",
  evacuationId: null,
  domainUuid: null,
  imagePath: null,
  imageId: null,
  forecast: null,
  domainName: "web01",
  memoryMiB: 256,
  sourceName: "hostB",
  targetName: "hostC",
  status: "queued",
  phase: "pre-migration",
  createdBy: "op",
  createdAt: "2026-11-25T00:00:00.000Z",
  startedAt: null,
  finishedAt: null,
  bytesSent: 0,
  downtimeMs: null,
  downtimeBound: false,
  errorCode: null,
  errorMessage: null,
  locationHost: null,
  locationNote: null,
  options: null,
};
const ev = (seq: number, phase: JobEvent["phase"], type: string, payload: object, ms = seq * 100): JobEvent =>
  ({ jobId: "j1", seq, at: new Date(ms).toISOString(), phase, type, payload }) as JobEvent;

describe("applyJobEvent", () => {
  const events = [
    ev(1, "pre-migration", "status", { status: "running" }),
    ev(2, "reservation", "phase", {}),
    ev(3, "precopy", "sample", { bytesSent: 1000, throughputBps: 10, elapsedMs: 100 }),
    ev(4, "stop-and-copy", "phase", {}),
    ev(5, "activation", "downtime", { ms: 42, upperBound: false }),
    ev(6, "done", "result", {
      status: "succeeded",
      errorCode: null,
      errorMessage: null,
      location: { host: "hostC", note: "runs on hostC" },
    }),
  ];
  const final = events.reduce(applyJobEvent, initialJobView(summary));

  it("folds a whole migration", () => {
    expect(final.summary).toMatchObject({
      status: "succeeded",
      phase: "done",
      bytesSent: 1000,
      downtimeMs: 42,
      locationHost: "hostC",
    });
    expect(Object.keys(final.phaseStartedAt)).toEqual([
      "pre-migration",
      "reservation",
      "precopy",
      "stop-and-copy",
      "activation",
      "done",
    ]);
    expect(final.lastSeq).toBe(6);
  });

  it("ignores replayed events and never moves a phase backwards", () => {
    expect(events.reduce(applyJobEvent, final)).toBe(final);
    const late = applyJobEvent(final, ev(7, "precopy", "log", { line: "late" }));
    expect(late.summary.phase).toBe("done");
    expect(late.log).toEqual(["late"]);
  });

  it("knows when each phase began when it starts from a finished job's summary (a page opened afterwards)", () => {
    // a move whose image was copied: its copy phase ran, though the summary it starts from already says "done"
    const move = [
      ev(1, "stop-and-copy", "phase", {}),
      ev(2, "commitment", "phase", {}),
      ev(3, "activation", "phase", {}),
    ].reduce(applyJobEvent, initialJobView({ ...summary, kind: "move", status: "succeeded", phase: "done" }));
    expect(move.phaseStartedAt.commitment).toBe(200);
    expect(move.summary.phase).toBe("done");
    // over shared storage nothing was copied: no copy phase began
    const shared = [ev(1, "stop-and-copy", "phase", {}), ev(3, "activation", "phase", {})].reduce(
      applyJobEvent,
      initialJobView({ ...summary, kind: "move", status: "succeeded", phase: "done" }),
    );
    expect(shared.phaseStartedAt.commitment).toBeUndefined();
  });
});

describe("jobAbilities", () => {
  it.each([
    ["queued", "pre-migration", true],
    ["checking", "pre-migration", true],
    ["running", "precopy", true],
    ["running", "stop-and-copy", true],
    ["running", "commitment", false],
    ["running", "activation", false],
    ["succeeded", "done", false],
    ["failed", "precopy", false],
  ] as const)("%s in %s: cancel %s", (status, phase, cancel) =>
    expect(jobAbilities({ status, phase }).cancel).toBe(cancel),
  );
});

describe("phaseLabel", () => {
  it("names a save's and a move's phases in their own words", async () => {
    const { phaseLabel, phasesOf } = await import("./types");
    expect(phaseLabel("migrate", "stop-and-copy")).toBe("Stop and copy");
    expect(phaseLabel("save", "stop-and-copy")).toBe("Saving to disk");
    expect(phasesOf("move").map((p) => phaseLabel("move", p))).toEqual([
      "Checks",
      "Saving to disk",
      "Copying to the target",
      "Restoring",
      "Done",
    ]);
  });
});
