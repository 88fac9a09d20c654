import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { phaseOfLine, reloadProgressOf } from "./migrate-lines";
import { errorOfLines } from "./errors";

const lines = (name: string) =>
  fs
    .readFileSync(path.join(__dirname, "fixtures", `${name}.stderr.txt`), "utf8")
    .split("\n")
    .filter(Boolean);
const phasesOf = (name: string) => lines(name).map(phaseOfLine).filter(Boolean);

describe("xl migrate output", () => {
  it("Xen 4.4's xl (real output): the receiver's reload progress counts as pre-copy progress", () => {
    expect([...new Set(phasesOf("migrate-xen44"))]).toEqual([
      "reservation",
      "precopy",
      "commitment",
      "activation",
      "done",
    ]);
    const progress = lines("migrate-xen44").map(reloadProgressOf).filter(Boolean);
    expect(progress).toHaveLength(20);
    expect(progress[1]).toEqual({ done: 53248, total: 524288, percent: 10 });
    expect(progress.at(-1)).toEqual({ done: 524482, total: 524288, percent: 100 });
  });

  it("a successful run announces every phase but stop-and-copy's start (seen by polling), in order", () => {
    expect(phasesOf("migrate-success")).toEqual([
      "reservation",
      "precopy",
      "stop-and-copy",
      "commitment",
      "activation",
      "done",
    ]);
    expect(lines("migrate-success")).toContain("migration target: Domain started successsfully.");
  });

  it.each([
    ["migrate-target-oom", "migrate_target_oom"],
    ["migrate-link-cut-precopy", "migrate_link_lost"],
    ["migrate-link-cut-stop-and-copy", "migrate_link_lost"],
    ["migrate-target-start-fails", "migrate_target_start_failed"],
    ["migrate-unknown-target", "migrate_target_unknown"],
    ["migrate-target-unreachable", "migrate_target_unreachable"],
    ["migrate-unknown-domain", "domain_not_found"],
    ["migrate-handshake-lost", "migrate_handshake_lost"],
  ])("%s → %s", (fixture, code) => {
    expect(errorOfLines(lines(fixture)).code).toBe(code);
  });

  it("a failure it does not know keeps xl's last line in the message", () => {
    expect(errorOfLines(["migration target: Ready to receive domain.", "something new went wrong"])).toEqual({
      code: "migrate_failed",
      message: "xl migrate failed: something new went wrong",
    });
  });
});
