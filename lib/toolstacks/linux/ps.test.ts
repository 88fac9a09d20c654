import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning, parsePs } from "./ps";

// fixture: `ps -eo pid=,args=` on this project's Debian 12 machine (procps-ng 4.0.2), first line anonymised
const real = fs.readFileSync(path.join(__dirname, "fixtures/ps-eo-pid-args-debian12.txt"), "utf8");

describe("ps -eo pid=,args=", () => {
  it("reads pids and whole command lines, spaces inside arguments included", () => {
    const ps = parsePs(real);
    expect(ps[0]).toEqual({ pid: 1, args: "/sbin/init" });
    expect(ps.find((p) => p.args === "sleep 77")?.pid).toBeGreaterThan(1);
    expect(ps.some((p) => p.args.endsWith("time.sleep(30) /xen-storage/saves/a b.save --x"))).toBe(true);
  });

  it("matches a command by its whole argv, not a prefix or a substring", async () => {
    const runner = {
      exec: async () => ({
        code: 0,
        stdout: " 4242 xl save web /xen-storage/saves/web.save\n 4243 xl save web2 /x.save\n",
        stderr: "",
      }),
    };
    expect(await isRunning(runner, ["xl", "save", "web", "/xen-storage/saves/web.save"])).toBe(true);
    expect(await isRunning(runner, ["xl", "save", "we", "/xen-storage/saves/web.save"])).toBe(false);
    expect(await isRunning(runner, ["xl", "save", "web2"])).toBe(false);
  });

  it("throws when ps cannot answer (Ferry must not read that as 'not running')", async () => {
    await expect(isRunning({ exec: async () => ({ code: 1, stdout: "", stderr: "ps: boom" }) }, ["x"])).rejects.toThrow(
      /ps failed/,
    );
  });
});
