import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diskArgv, parseQemuImgInfo } from "./disk-file";

// What Ferry reads of a disk (qemu-img info, the captures in ./fixtures) and the one way it creates a copy to migrate
// into — run here for real with this machine's qemu-img (qemu-utils, which .ci/run installs).

const fixture = (f: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", f), "utf8");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-disk-file-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const run = (argv: string[]) => spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
const info = (file: string) =>
  parseQemuImgInfo(execFileSync("qemu-img", diskArgv.info(file).slice(1), { encoding: "utf8" }));

describe("qemu-img info, as Ferry reads it", () => {
  it("a disk that stands alone: format, size, bytes in use, no backing file (the lab's 64 MiB qcow2)", () => {
    expect(parseQemuImgInfo(fixture("qemu-img-info-qcow2-lab.json"))).toMatchObject({
      format: "qcow2",
      virtualBytes: 64 * 1024 * 1024,
      backing: null,
    });
  });
  it("an overlay: its backing file's full path (the overlay named it relative) and format", () => {
    expect(parseQemuImgInfo(fixture("qemu-img-info-overlay.json"))).toEqual({
      format: "qcow2",
      virtualBytes: 64 * 1024 * 1024,
      allocatedBytes: 200_704,
      backing: { path: "/tmp/ov/base.qcow2", format: "qcow2" },
    });
  });
  it("anything else is not a disk", () => {
    expect(parseQemuImgInfo("qemu-img: Could not open '/x'")).toBeNull();
    expect(parseQemuImgInfo('{"filename": "/x"}')).toBeNull();
  });
});

// Skipped, with the reason, only on a machine without qemu-img: .ci/run installs qemu-utils, so CI always runs it.
const qemuImg = spawnSync("qemu-img", ["--version"]).status === 0;
describe.skipIf(!qemuImg)(
  "the copy Ferry creates to migrate into (run for real; needs qemu-img: apt install qemu-utils)",
  () => {
    it("an empty disk of the format and size, and never over a file that is there", () => {
      const file = path.join(dir, "copy.qcow2");
      expect(run(diskArgv.createAbsent(file, "qcow2", 32 * 1024 * 1024)).status).toBe(0);
      expect(info(file)).toMatchObject({ format: "qcow2", virtualBytes: 32 * 1024 * 1024, backing: null });
      fs.writeFileSync(file, "the guest's data");
      const again = run(diskArgv.createAbsent(file, "qcow2", 32 * 1024 * 1024));
      expect(again.status).toBe(1);
      expect(again.stdout + again.stderr).toBe("");
      expect(fs.readFileSync(file, "utf8")).toBe("the guest's data");
    });
    it("an overlay on the same backing file, for a disk layered on one", () => {
      const base = path.join(dir, "base.qcow2");
      execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", base, String(16 * 1024 * 1024)]);
      const file = path.join(dir, "overlay.qcow2");
      expect(run(diskArgv.createAbsent(file, "qcow2", 16 * 1024 * 1024, { path: base, format: "qcow2" })).status).toBe(
        0,
      );
      expect(info(file)).toMatchObject({ format: "qcow2", backing: { path: base, format: "qcow2" } });
    });
  },
);
