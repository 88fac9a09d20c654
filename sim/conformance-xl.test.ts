import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { xlCommand } from "./commands/xl";
import { createDefaultWorld } from "./default-world";
import { runSimCommand } from "./testing";

// Conformance, xl half: the same xl command lines against a simulated Xen host and against a real Xen 4.17 —
// recorded, because no Xen runs here: scripts/xen-capture.sh boots Debian's Xen under QEMU and keeps what each
// command printed (lib/toolstacks/xl/fixtures/xen417; re-record with `bash scripts/xen-capture.sh <dir>`). Compared
// is the shape a client notices: exit status, which stream says what (domain names, ids, sizes and times
// normalised), table headers to the character, the rows' column layout, the JSON's structure, `xl info`'s labels.

const RECORDED = path.join(import.meta.dirname, "..", "lib", "toolstacks", "xl", "fixtures", "xen417");
// CI boots the real Xen in every run (.ci/run: scripts/xen-capture.sh) and points FERRY_XEN_LIVE at what it printed
// today; elsewhere the recording stands in for it
const LIVE = process.env.FERRY_XEN_LIVE;
const REAL = LIVE && fs.existsSync(path.join(LIVE, "info.rc")) ? LIVE : RECORDED;
const SOURCE = REAL === RECORDED ? "recorded Xen 4.17" : "Xen 4.17 booted in this run";
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const real = (name: string): Run => ({
  code: Number(fs.readFileSync(path.join(REAL, `${name}.rc`), "utf8")),
  stdout: fs.readFileSync(path.join(REAL, `${name}.stdout`), "utf8"),
  stderr: fs.readFileSync(path.join(REAL, `${name}.stderr`), "utf8"),
});

// the demo's hostB runs debian_etch_domU (PV, 512 MiB); the real capture's guest is "capture"
const SIM_HOST = "hostB";
const SIM_DOM = "debian_etch_domU";
const REAL_DOM = "capture";

async function simulated(argv: string[], prepare?: (w: ReturnType<typeof createDefaultWorld>) => void): Promise<Run> {
  const world = createDefaultWorld();
  world.timeScale = 10_000; // a save's disk time, not its output, is scaled
  prepare?.(world);
  return runSimCommand(xlCommand(world, SIM_HOST), ["xl", ...argv]);
}

/** Names, paths, numbers and hex normalised: what is left is the text a parser or a person relies on. */
function norm(text: string, dom: string): string {
  return text
    .replace(/\/[\w/.-]+\.save\b/g, "<file>")
    .replaceAll(dom, "<dom>")
    .replace(/0x[0-9a-f]+/gi, "#")
    .replace(/\d+/g, "#");
}

/** Consecutive equal lines once: progress lines differ only in their numbers. */
const squeeze = (lines: string[]) => lines.filter((l, i) => l !== lines[i - 1]);
const normLines = (text: string, dom: string) =>
  squeeze(
    text
      .split("\n")
      .filter(Boolean)
      .map((l) => norm(l, dom)),
  );

const LIST_ROW = /^\S.{39} [ \d]{5} [ \d]{5} [ \d]{5} {5}[r-][b-][p-][s-][-rscwS?][d-] {2}[ \d]{5}\d\.\d$/;
const UPTIME_ROW = /^\S.{32} [ \d]{4} (?:\d+ days?, )?[ \d]\d:\d\d:\d\d$/;

describe(`the simulated xl answers as the real one does (${SOURCE})`, () => {
  it.each([
    ["list-unknown-name", ["list", "nosuch"]],
    ["list-unknown-id", ["list", "42"]],
    ["list-bogus-long", ["list", "--bogus"]],
    ["unknown-command", ["frobnicate"]],
    ["global-bogus", ["-Z", "list"]],
    ["save-noargs", ["save"]],
    ["migrate-noargs", ["migrate"]],
    ["save-unknown", ["save", "nosuch", "/tmp/x.save"]],
    ["restore-missing", ["restore", "/tmp/nosuch.save"]],
    ["help-list", ["help", "list"]],
  ])("%s (xl %s): exit status, stderr, and stdout's first line", async (name, argv) => {
    const r = real(name);
    const s = await simulated(argv);
    expect([s.code, s.stderr, s.stdout.split("\n")[0]]).toEqual([r.code, r.stderr, r.stdout.split("\n")[0]]);
  });

  it("xl with no arguments: its usage on stdout, exit 1", async () => {
    const r = real("noargs");
    const s = await simulated([]);
    expect([s.code, s.stderr, s.stdout.split("\n").slice(0, 3)]).toEqual([
      r.code,
      r.stderr,
      r.stdout.split("\n").slice(0, 3),
    ]);
  });

  it("xl list and `xl li`: the header to the character, every row in xl's columns", async () => {
    for (const [name, argv] of [
      ["list-guest", ["list"]],
      ["list-abbrev", ["li"]],
    ] as const) {
      const r = real(name).stdout.split("\n").filter(Boolean);
      const s = (await simulated([...argv])).stdout.split("\n").filter(Boolean);
      expect(s[0]).toBe(r[0]);
      for (const row of [...r.slice(1), ...s.slice(1)]) expect(row).toMatch(LIST_ROW);
    }
  });

  it("xl uptime: the header to the character, rows in its columns", async () => {
    const r = real("uptime").stdout.split("\n").filter(Boolean);
    const s = (await simulated(["uptime"])).stdout.split("\n").filter(Boolean);
    expect(s[0]).toBe(r[0]);
    for (const row of [...r.slice(1), ...s.slice(1)]) expect(row).toMatch(UPTIME_ROW);
    const one = (await simulated(["uptime", SIM_DOM])).stdout.split("\n").filter(Boolean);
    expect(one.length).toBe(real("uptime-guest").stdout.split("\n").filter(Boolean).length);
  });

  it("xl list -l: an array of {domid, config}, Domain-0 included, the fields Ferry reads where xl puts them", async () => {
    type Entry = { domid: number; config: { c_info: Record<string, unknown>; b_info: Record<string, unknown> } };
    const shape = (text: string) =>
      (JSON.parse(text) as Entry[]).map((e) => ({
        domid: typeof e.domid,
        c_info: ["type", "name", "uuid"].filter((k) => k in e.config.c_info),
        b_info: ["max_memkb", "target_memkb", "max_vcpus"].filter((k) => k in e.config.b_info),
        typeBlock: `type.${e.config.c_info.type}` in e.config.b_info,
      }));
    const r = shape(real("list-long").stdout);
    const s = shape((await simulated(["list", "-l"])).stdout);
    expect(s[0]).toEqual(r[0]); // Domain-0
    expect(s.slice(1)).toContainEqual(r[1]); // a PV guest
    // one domain asked for: an array of one
    expect(shape((await simulated(["list", "-l", SIM_DOM])).stdout)).toEqual(shape(real("list-long-guest").stdout));
  });

  it("xl info: the same labels in the same order", async () => {
    const labels = (t: string) => [...t.matchAll(/^(\w+)\s*:/gm)].map((m) => m[1]);
    expect(labels((await simulated(["info"])).stdout)).toEqual(labels(real("info").stdout));
  });

  it("xl save: the same lines on stderr (numbers aside), progress to 100 %, nothing on stdout", async () => {
    const r = real("save");
    const s = await simulated(["save", SIM_DOM, "/xen-saved-images/x.save"]);
    expect([s.code, s.stdout]).toEqual([r.code, r.stdout]);
    expect(normLines(s.stderr, SIM_DOM)).toEqual(normLines(r.stderr, REAL_DOM));
  });

  it("xl save into a directory that does not exist", async () => {
    const r = real("save-no-dir");
    const s = await simulated(["save", SIM_DOM, "/nonexistent/dir/capture.save"]);
    expect([s.code, s.stdout, s.stderr]).toEqual([r.code, r.stdout, r.stderr]);
  });

  it("xl restore of a file that is not a save image", async () => {
    const r = real("restore-garbage");
    const s = await simulated(["restore", "/xen-saved-images/garbage.save"], (w) => {
      const at = w.locatePath(SIM_HOST, "/xen-saved-images/garbage.save");
      if (!at) throw new Error("no mount for the image directory");
      w.files.set(at.key, {
        head: Buffer.alloc(64, 7),
        size: 65536,
        mode: 0o644,
        owner: "root",
        mtime: Date.now(),
      });
    });
    expect([s.code, s.stdout, s.stderr]).toEqual([r.code, r.stdout, r.stderr]);
  });
});
