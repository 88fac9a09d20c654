import { describe, expect, it } from "vitest";
import { bytesText, historyFigures, jobsToCsv, percentile, routeText } from "./history";
import type { JobSummary } from "./types";

const job = (over: Partial<JobSummary>): JobSummary => ({
  id: "j",
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
  status: "succeeded",
  phase: "done",
  createdBy: "op",
  createdAt: "2026-11-25T10:00:00.000Z",
  startedAt: "2026-11-25T10:00:00.000Z",
  finishedAt: "2026-11-25T10:00:03.000Z",
  bytesSent: 300,
  downtimeMs: 40,
  downtimeBound: false,
  errorCode: null,
  errorMessage: null,
  locationHost: "hostC",
  locationNote: "runs on hostC",
  options: null,
  ...over,
});

describe("history", () => {
  it("computes count, success rate, median and p95 downtime", () => {
    const jobs = [10, 20, 30, 40, 1000]
      .map((d) => job({ downtimeMs: d }))
      .concat([job({ status: "failed", downtimeMs: null }), job({ status: "running", finishedAt: null })]);
    expect(historyFigures(jobs)).toEqual({
      count: 7,
      finished: 6,
      successRate: 5 / 6,
      medianDowntimeMs: 30,
      p95DowntimeMs: 1000,
      medianMoveOutageMs: null,
    });
    expect(percentile([], 50)).toBeNull();
  });

  it("keeps a move's outage out of the downtime figures, and says a save's host and a copy that did not happen", () => {
    const jobs = [job({ downtimeMs: 40 }), job({ downtimeMs: 60 }), job({ kind: "move", downtimeMs: 3300 })];
    expect(historyFigures(jobs)).toMatchObject({ medianDowntimeMs: 40, p95DowntimeMs: 60, medianMoveOutageMs: 3300 });
    expect(routeText(job({ kind: "save", targetName: null }))).toBe("on hostB");
    expect(routeText(job({ kind: "restore" }))).toBe("hostB → hostC");
    const f = (n: number) => `${n} B`;
    expect(bytesText(job({ kind: "restore", bytesSent: 0 }), f)).toBe("no copy");
    expect(bytesText(job({ kind: "save", bytesSent: 0 }), f)).toBe("0 B");
    expect(bytesText(job({ kind: "move", bytesSent: 300 }), f)).toBe("300 B");
  });

  it("writes CSV with quoting and no spreadsheet formulas", () => {
    const csv = jobsToCsv([job({ errorMessage: 'a "quoted", message', domainName: "=cmd()" })]);
    const [header, row] = csv.trim().split("\r\n");
    expect(header.split(",")).toContain("downtime_ms");
    expect(row).toContain('"a ""quoted"", message"');
    expect(row).toContain("'=cmd()");
    expect(row).toContain(",3000,40,false,300,,,succeeded,");
  });
});
