import { describe, expect, it } from "vitest";
import { createDemoWorld } from "../default-world";
import { runSimCommand } from "../testing";
import { linuxCommands } from "./linux";

// The link probe's pipeline, `head -c N /dev/zero | ssh TARGET wc -c`: the zeros count as N bytes at every step.

describe("simulated zeros", () => {
  it("head -c N /dev/zero is N bytes to wc -c and to the link ssh times, without N characters built", async () => {
    const world = createDemoWorld();
    world.timeScale = 100;
    const cmds = linuxCommands(world, "kvmA");
    const n = 32 * 1024 * 1024;
    const zeros = await runSimCommand(cmds.head, ["head", "-c", String(n), "/dev/zero"]);
    expect(zeros.code).toBe(0);
    expect(zeros.stdout.length).toBeLessThan(100);
    expect(await runSimCommand(cmds.wc, ["wc", "-c"], zeros.stdout)).toEqual({ code: 0, stdout: `${n}\n`, stderr: "" });
    const tx = world.host("kvmA")!.txBytes;
    expect((await runSimCommand(cmds.ssh, ["ssh", "192.168.1.71", "true"], zeros.stdout)).code).toBe(0);
    expect(world.host("kvmA")!.txBytes - tx).toBe(n);
    // what is not a record counts its own bytes
    expect((await runSimCommand(cmds.wc, ["wc", "-c"], "abc")).stdout).toBe("3\n");
  });
});
