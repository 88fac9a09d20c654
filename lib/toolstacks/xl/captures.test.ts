// Real output of xl from other people's hosts (lib/toolstacks/xl/fixtures/SOURCES says where each came from):
// save, restore and migrate as Xen 4.6, 4.9, 4.13, 4.14 and a 2025 xen-devel report printed them, a paused row in
// Xen 4.9's list, and a real `xl uptime`. Each is read the way Ferry reads it while a job runs.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseProgress } from "./saverestore";
import { errorOfLines, saveRestoreError } from "./errors";
import { phaseOfLine } from "./migrate-lines";
import { parseXlList } from "./parse-list";
import { parseXlUptime } from "./parse-uptime";

const lines = (name: string) =>
  fs
    .readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8")
    .split("\n")
    .filter(Boolean);

describe("real xl save and restore output", () => {
  it.each([
    ["save-busybox-xen46.stderr.txt", 32768],
    ["save-c6-xen414.stderr.txt", 524288],
    ["save-pvh-xen413.stderr.txt", 1044480],
  ])("%s: the frames line is progress to 100 percent (%i frames), nothing else is", (file, frames) => {
    const progress = lines(file)
      .map(parseProgress)
      .filter((p) => p !== null);
    expect(progress).toEqual([{ done: frames, total: frames, percent: 100 }]);
  });

  it.each([
    ["restore-busybox-xen46.stderr.txt", "Xen 4.6"],
    ["restore-c6-xen414.stderr.txt", "Xen 4.14"],
    ["restore-pvh-xen413.stderr.txt", "Xen 4.13"],
  ])("%s: a successful restore (%s) names no failure", (file) => {
    // were it to fail with this output, the message would quote the last line, not a made-up cause
    expect(saveRestoreError(lines(file), "restore")).toEqual({
      code: "restore_failed",
      message: `xl restore failed: ${lines(file).at(-1)}`,
    });
    expect(lines(file).some((l) => /\berror\b/.test(l))).toBe(false);
  });

  it("a restore right after `xl save -D` (Xen 4.14): the message quotes 'domain id recently used', not the last line", () => {
    const e = saveRestoreError(lines("restore-domid-recent-xen414.stderr.txt"), "restore");
    expect(e.code).toBe("restore_domid_recent");
    expect(e.message).toMatch(/domain id recently used/);
    expect(e.message).toMatch(/wait a few minutes/);
    expect(e.message).toContain("libxl_create.c:692:libxl__domain_make: Domain 19505:domain id recently used");
  });

  it("a save whose suspend failed (2025): the first error is quoted, not the resume noise after it", () => {
    expect(saveRestoreError(lines("save-suspend-failed-2025.stderr.txt"), "save")).toEqual({
      code: "save_failed",
      message: "xl save failed: xc: error: save callback suspend() failed: 0: Internal error",
    });
  });
});

describe("real xl migrate output (Xen 4.9, two hosts)", () => {
  it.each(["migrate-xen49-os3.stderr.txt", "migrate-xen49-guest1.stderr.txt"])(
    "%s: every phase in order, and it ends in success",
    (file) => {
      expect([...new Set(lines(file).map(phaseOfLine).filter(Boolean))]).toEqual([
        "reservation",
        "precopy",
        "stop-and-copy", // the receiver's "Restore successful": the whole stream arrived
        "commitment",
        "activation",
        "done",
      ]);
      expect(errorOfLines(lines(file)).code).toBe("migrate_failed"); // nothing in it names a failure
    },
  );
});

describe("real xl list and uptime", () => {
  it("Xen 4.9's list with TABs in the header and a paused domain (the source side after a migration)", () => {
    const rows = parseXlList(lines("list-xen49-paused.txt").join("\n"));
    expect(rows.map((r) => [r.name, r.id, r.memoryMiB, r.vcpus, r.stateLetters, r.cpuSeconds])).toEqual([
      ["Domain-0", 0, 13984, 4, "r-----", 56475.2],
      ["guest1", 28, 1024, 1, "--p---", 28],
    ]);
  });

  it("a real `xl uptime busybox-001` (Xen 4.6): 0:03:48", () => {
    expect([...parseXlUptime(lines("uptime-busybox-xen46.txt").join("\n"))]).toEqual([[11, 228]]);
  });
});
