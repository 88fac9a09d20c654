import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseProgress, parseSaveHeader } from "./saverestore";
import { saveRestoreError } from "./errors";
import { parseDirListing, parseSha256 } from "../linux/host-commands";

const text = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const lines = (name: string) => text(name).split("\n").filter(Boolean);

describe("xl save / restore output", () => {
  it("reads progress lines in ~5 % steps, and the reference's own example", () => {
    const steps = lines("save-success.stderr.txt")
      .map(parseProgress)
      .filter((p) => p !== null);
    expect(steps.length).toBeGreaterThanOrEqual(15);
    expect(steps.at(-1)).toEqual({ done: 65536, total: 65536, percent: 100 });
    expect(parseProgress("xc: progress: Frames: 13312/262144    5%")).toEqual({
      done: 13312,
      total: 262144,
      percent: 5,
    });
    expect(parseProgress("xc: Frames: 1044480/1044480  100%")).toEqual({ done: 1044480, total: 1044480, percent: 100 });
    expect(parseProgress("xc: progress: End of stream: 0/0    0%")).toBeNull();
  });

  it("reads the save file's header and config", () => {
    expect(parseSaveHeader(text("save-header.base64.txt"))).toMatchObject({
      name: "ubuntu_fuwa_nfs_domU",
      memoryMiB: 256,
      vcpus: 1,
    });
    expect(parseSaveHeader(Buffer.from("LinuxGuestRecord....").toString("base64"))).toBeNull(); // an xm save file
    expect(parseSaveHeader("")).toBeNull();
  });

  it.each([
    ["save-disk-full.stderr.txt", "save", "save_no_space"],
    ["save-no-dir.stderr.txt", "save", "save_unwritable"],
    ["restore-missing.stderr.txt", "restore", "image_missing"],
    ["restore-missing-local.stderr.txt", "restore", "image_missing"],
    ["restore-wrong-magic.stderr.txt", "restore", "image_corrupt"],
    ["restore-name-taken.stderr.txt", "restore", "domain_exists"],
  ] as const)("%s → %s", (file, what, code) => expect(saveRestoreError(lines(file), what).code).toBe(code));

  it("an unknown failure quotes the line that says why, not the progress line printed last", () => {
    const out = [
      "Saving to /x.save new xl format (info 0x3/0x0/770)",
      "xc: error: Cannot map foreign pages: Bad address",
      "xc: progress: Frames: 7168/131072    5%",
    ];
    expect(saveRestoreError(out, "save")).toEqual({
      code: "save_failed",
      message: "xl save failed: xc: error: Cannot map foreign pages: Bad address",
    });
  });

  it("reads sha256sum and find output", () => {
    expect(parseSha256("d0f41c0ef2cf4be48f9b94ca0c063495d75c2aed4597418009725f6ff4220fa1  /x.save\n")).toBe(
      "d0f41c0ef2cf4be48f9b94ca0c063495d75c2aed4597418009725f6ff4220fa1",
    );
    expect(parseSha256("sha256sum: /x: No such file or directory")).toBeNull();
    expect(parseDirListing("268436267 1795637429.056 600 /xen-storage/saves/u.save\ngarbage\n")).toEqual([
      { size: 268436267, mtime: 1795637429000, mode: "600", path: "/xen-storage/saves/u.save" },
    ]);
  });
});
