// Real output of a real Xen: Debian 12's Xen 4.17.7 and xl, booted under QEMU on this machine by
// scripts/xen-capture.sh, running a small PV guest ("capture") and a PVH one ("capture-pvh"). Each file in
// fixtures/xen417 is one command's stdout, stderr and exit status, unedited. Read here the way Ferry reads them.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorOfLines, saveRestoreError, xlError } from "./errors";
import { phaseOfLine } from "./migrate-lines";
import { parseXlInfo } from "./parse-info";
import { baseDomainName, parseXlList, stateFromLetters } from "./parse-list";
import { parseXlListLong } from "./parse-list-long";
import { parseXlUptime } from "./parse-uptime";
import { parseProgress } from "./saverestore";

const dir = path.join(import.meta.dirname, "fixtures", "xen417");
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
const capture = (name: string) => ({
  stdout: read(`${name}.stdout`),
  stderr: read(`${name}.stderr`),
  code: Number(read(`${name}.rc`)),
});
const errLines = (name: string) => read(`${name}.stderr`).split("\n").filter(Boolean);
const listed = (name: string) =>
  parseXlList(read(`${name}.stdout`)).map((r) => [r.name, r.id, stateFromLetters(r.stateLetters, r.name)]);

describe("real Xen 4.17: the inventory commands", () => {
  it("xl info: the version, memory and CPUs of the (emulated) machine", () => {
    const info = parseXlInfo(capture("info").stdout);
    expect(info.get("xen_version")).toBe("4.17.7");
    expect(info.get("nr_cpus")).toBe("2");
    expect(Number(info.get("total_memory"))).toBe(1535);
    expect(Number(info.get("free_memory"))).toBeGreaterThan(0);
  });

  it("xl list: dom0 alone, then with the guest; an unambiguous abbreviation (`xl li`) answers the same table", () => {
    expect(listed("list-dom0")).toEqual([["Domain-0", 0, "running"]]);
    expect(listed("list-guest")).toEqual([
      ["Domain-0", 0, "running"],
      ["capture", 1, "running"],
    ]);
    expect(listed("list-abbrev")).toEqual([["Domain-0", 0, "running"]]);
    expect(capture("list-abbrev").code).toBe(0);
  });

  it("xl list during a migration to the same host: the receiving copy is `<name>--incoming`, paused", () => {
    const rows = parseXlList(read("list-during-migrate-pvh.stdout"));
    const incoming = rows.find((r) => r.name.endsWith("--incoming"));
    expect(incoming && [incoming.stateLetters, baseDomainName(incoming.name)]).toEqual(["--p---", "capture-pvh"]);
    expect(incoming && stateFromLetters(incoming.stateLetters, incoming.name)).toBe("migrating-in");
    // and the PVH guest itself had crashed before the move was asked for ("---sc-", kept by on_crash=preserve)
    expect(listed("list-pvh")).toContainEqual(["capture-pvh", 8, "crashed"]);
  });

  it("xl list -l: JSON for dom0 alone, for every domain, for one PV and one PVH guest", () => {
    expect(parseXlListLong(capture("list-long-dom0").stdout).map((e) => [e.domid, e.name, e.type])).toEqual([
      [0, "Domain-0", "pv"],
    ]);
    const all = parseXlListLong(capture("list-long").stdout);
    expect(all.map((e) => [e.domid, e.name, e.type])).toEqual([
      [0, "Domain-0", "pv"],
      [1, "capture", "pv"],
    ]);
    expect(all[1].uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(parseXlListLong(capture("list-long-guest").stdout)).toEqual([all[1]]); // one domain: an array of one
    expect(parseXlListLong(capture("list-long-pvh").stdout).map((e) => [e.name, e.type])).toEqual([
      ["capture-pvh", "pvh"],
    ]);
  });

  it("xl uptime: all domains, one domain, and the new domid after a restore", () => {
    expect([...parseXlUptime(capture("uptime").stdout)]).toEqual([
      [0, 32],
      [1, 26],
    ]);
    expect([...parseXlUptime(capture("uptime-guest").stdout)]).toEqual([[1, 26]]);
    expect([...parseXlUptime(capture("uptime-dom0").stdout)]).toEqual([[0, 5]]);
    expect([...parseXlUptime(capture("uptime-after-restore").stdout)]).toEqual([
      [0, 48],
      [6, 5],
    ]);
  });

  it("refusals: unknown name and id are domain_not_found; an unknown long option is named by a NUL", () => {
    expect(xlError(["xl", "list", "nosuch"], capture("list-unknown-name")).code).toBe("domain_not_found");
    expect(xlError(["xl", "list", "42"], capture("list-unknown-id")).code).toBe("domain_not_found");
    const bogus = capture("list-bogus-long");
    expect([bogus.code, bogus.stderr]).toEqual([2, "option `\0' not supported.\n"]);
    expect(xlError(["xl", "list", "--bogus"], bogus).message).toMatch(/rejected an option/);
  });
});

describe("real Xen 4.17: save and restore", () => {
  it("xl save reports progress in frames to 100 percent (and `xl -v save` as detail lines)", () => {
    const progress = errLines("save")
      .map(parseProgress)
      .filter((p) => p !== null);
    expect(progress).toHaveLength(20);
    expect(progress.at(-1)).toEqual({ done: 40960, total: 40960, percent: 100 });
    expect(
      errLines("save-verbose")
        .map(parseProgress)
        .filter((p) => p !== null)
        .at(-1)?.percent,
    ).toBe(100);
    expect(capture("save").code).toBe(0);
    // the domain is gone from the host once saved, back (with a new id) once restored
    expect(listed("list-after-save")).toEqual([["Domain-0", 0, "running"]]);
    expect(listed("list-after-restore").map((r) => r[0])).toEqual(["Domain-0", "capture"]);
  });

  it.each([
    ["save-no-dir", "save", "save_unwritable"],
    ["save-unknown", "save", "domain_not_found"],
    ["restore-name-taken", "restore", "domain_exists"],
    ["restore-missing", "restore", "image_missing"],
    ["restore-garbage", "restore", "image_corrupt"],
    ["restore-truncated", "restore", "image_corrupt"],
  ] as const)("%s → %s fails as %s", (name, what, code) => {
    expect(capture(name).code).toBe(1);
    expect(saveRestoreError(errLines(name), what).code).toBe(code);
  });

  it("a truncated image leaves nothing behind on the host", () => {
    expect(listed("list-after-truncated")).toEqual([["Domain-0", 0, "running"]]);
  });

  it("a save the guest does not acknowledge (the crashed PVH guest): the cause is quoted, not the resume noise", () => {
    const e = saveRestoreError(errLines("save-pvh"), "save");
    expect(e.code).toBe("save_failed");
    expect(e.message).toMatch(/guest didn't acknowledge suspend/);
  });
});

describe("real Xen 4.17: migrations that fail", () => {
  it.each(["migrate-local", "migrate-local-pvh"])(
    "%s: the sender could not suspend → nothing moved, the domain stays on the source; the cause is quoted",
    (name) => {
      const e = errorOfLines(errLines(name));
      expect(e.code).toBe("migrate_failed"); // not "target out of memory", which its "Domain creation failed" suggests
      expect(e.message).toMatch(/stays on the source/);
      expect(e.message).toMatch(/Failed to enable logdirty|guest didn't acknowledge suspend/);
      expect([...new Set(errLines(name).map(phaseOfLine).filter(Boolean))]).toEqual(["reservation", "precopy"]);
    },
  );

  it("and the host agrees: after the failed PV move the guest is still on the source (idle: -b----), with its own id", () => {
    expect(listed("list-after-migrate")).toContainEqual(["capture", 6, "idle"]);
  });

  it("a target whose `xl migrate-receive` never starts: unreachable target, the domain untouched", () => {
    expect(errorOfLines(errLines("migrate-target-fails")).code).toBe("migrate_target_unreachable");
    expect(listed("list-after-migrate-fail")).toContainEqual(["capture", 6, "idle"]);
  });

  it("an unknown domain is refused before anything starts", () => {
    expect(errorOfLines(errLines("migrate-unknown")).code).toBe("domain_not_found");
  });
});
