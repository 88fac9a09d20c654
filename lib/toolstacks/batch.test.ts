import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execBatch, execNamedBatch } from "./batch";
import { linuxFacts } from "./linux/host-facts";
import { buildCommand } from "../ssh/quote";
import { SshConnection } from "../ssh/connection";
import { startTestCluster } from "../../sim/testing";
import type { CommandRunner } from "./types";

// the same commands one channel each and batched in one: the results must be the same
const commands = [
  ["xl", "list"],
  ["xl", "list", "no-such-domain"],
  ["echo", "-n", "no newline at the end"],
  ["echo", "a;b $(x) 'q' \"dq\" `bt`"],
  ["true"],
];

describe("execBatch over a simulated host (ssh2)", () => {
  let sim: Awaited<ReturnType<typeof startTestCluster>>;
  let conn: SshConnection;
  beforeAll(async () => {
    sim = await startTestCluster();
    conn = new SshConnection("hostB", sim.target("hostB"));
  });
  afterAll(async () => {
    conn.close();
    await sim.stop();
  });

  it("splits one channel's output into each command's stdout, stderr and status, as separate channels give them", async () => {
    const one = await Promise.all(commands.map((c) => conn.exec(c)));
    const batched = await execBatch(conn, commands);
    expect(batched.map((r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr }))).toEqual(
      one.map((r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr })),
    );
    expect(batched[1].code).toBe(1);
    expect(batched[1].stderr).toMatch(/no-such-domain/);
    expect(batched[3].stdout).toBe("a;b $(x) 'q' \"dq\" `bt`\n");
  });
  it("reads each result by its name, an optional command left out being absent rather than a shifted index", async () => {
    const withDir = false;
    const r = await execNamedBatch(conn, {
      list: ["xl", "list"],
      ...(withDir ? { dir: ["true"] } : {}),
      missing: ["xl", "list", "no-such-domain"],
      echo: ["echo", "last"],
    });
    expect(Object.keys(r)).toEqual(["list", "missing", "echo"]);
    expect(r.list.stdout).toMatch(/^Name\s+ID/);
    expect(r.missing.code).toBe(1);
    expect(r.echo.stdout).toBe("last\n");
    // Linux facts: a command that failed reads nothing; one not run keeps what the last refresh knew
    const facts = linuxFacts({ ipAddr: r.missing }, { addresses: ["10.0.0.1"], bridges: ["br0"] } as never);
    expect(facts.addresses).toEqual([]);
    expect(facts.bridges).toEqual(["br0"]);
  });
});

describe("execBatch through a real POSIX sh (dash)", () => {
  // what sshd does with the command string: hand it to the user's shell
  const localSh: CommandRunner = {
    exec: (argv) =>
      new Promise((resolve) => {
        execFile("sh", ["-c", buildCommand(argv)], (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
        );
      }),
  };

  it("keeps statuses, output without a final newline, empty output and stderr apart", async () => {
    const r = await execBatch(localSh, [
      ["printf", "%s", "x\ny"],
      ["sh", "-c", "echo oops >&2; exit 3"],
      ["true"],
      ["echo", "$HOME `id` ;|&"],
    ]);
    expect(r).toEqual([
      { code: 0, stdout: "x\ny", stderr: "" },
      { code: 3, stdout: "", stderr: "oops\n" },
      { code: 0, stdout: "", stderr: "" },
      { code: 0, stdout: "$HOME `id` ;|&\n", stderr: "" },
    ]);
  });

  it("a command that never finishes its turn (the shell exits) has no status, and neither have those after it", async () => {
    const r = await execBatch(localSh, [
      ["echo", "first"],
      ["sh", "-c", "echo partial; kill -9 $PPID"],
      ["echo", "never"],
    ]);
    expect(r[0]).toEqual({ code: 0, stdout: "first\n", stderr: "" });
    expect(r[1].code).toBeNull();
    expect(r[1].stdout).toBe("partial\n");
    expect(r[2]).toMatchObject({ code: null, stdout: "" });
  });
});

describe("how long an inventory may take", () => {
  // a dom0 short of CPU (the real Xen 4.17 under emulation, e2e/lab/xen.spec.ts) starts each process in a second or
  // more: a host's first look, with twice the commands, got 15 s and the host could not be added
  it("each driver gives a host's first look, a return from offline and a full re-read a minute, a steady refresh 15 s", async () => {
    const { drivers } = await import("./index");
    for (const d of Object.values(drivers)) {
      const seen: (number | undefined)[] = [];
      const runner: CommandRunner = {
        exec: async (_argv, opts) => {
          seen.push(opts?.timeoutMs);
          throw new Error("enough");
        },
      } as CommandRunner;
      const previous = { hostname: "h" } as never;
      for (const opts of [
        { withCpuFlags: true },
        { previous, withCpuFlags: true },
        { previous, full: true },
        { previous },
      ])
        await d.snapshot(runner, opts).catch(() => {});
      expect(seen, d.name).toEqual([60_000, 60_000, 60_000, 15_000]);
    }
  });
});
