import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandRunner } from "../types";
import { measureDirtyBps } from "./dirty-rate";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");

describe("the dirty-rate measurement", () => {
  it("asks libvirt's default mode, page sampling, and never the dirty bitmap (which crashed the lab's guest)", async () => {
    const asked: string[][] = [];
    const runner = {
      exec: async (argv: string[]) => {
        asked.push(argv);
        return argv[1] === "domdirtyrate-calc"
          ? { code: 0, stdout: fixture("domdirtyrate-calc-lab.txt"), stderr: "" }
          : { code: 0, stdout: fixture("domstats-dirtyrate-lab.txt"), stderr: "" };
      },
    } as unknown as CommandRunner;
    expect(await measureDirtyBps(runner, "dirty-rate-test-host", "labvm1")).toBe(4_000_000);
    const calc = asked.find((a) => a[1] === "domdirtyrate-calc")!;
    expect(calc).toEqual(["virsh", "domdirtyrate-calc", "labvm1", "--seconds", "1"]);
    // QEMU 7.2 under software emulation: `--mode dirty-bitmap` ended the guest ("shut off (crashed)"), twice
    expect(fixture("domdirtyrate-calc-dirty-bitmap-tcg-lab.stderr.txt")).toMatch(/Connection reset by peer/);
  });
});
