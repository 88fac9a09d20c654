import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestCluster } from "../../sim/testing";
import { execBatch } from "../toolstacks/batch";
import { errorOf } from "./testing";
import { JOB_RESERVED_CHANNELS, MAX_CHANNELS, SshConnection } from "./connection";
import { scanHostKey } from "./host-key";

// The long-lived shell an SSH connection keeps for scripts (execScript, remote-shell.ts), the inventory's path on
// every refresh: against a simulated host and against the lab's real OpenSSH and dash (e2e/lab/up.sh), the same cases.

const LAB = process.env.LAB ?? "/tmp/ferry-lab";
const labEnv = path.join(LAB, "lab.env");
const labUp = fs.existsSync(labEnv);
const labVars = labUp
  ? Object.fromEntries(
      [...fs.readFileSync(labEnv, "utf8").matchAll(/^(\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]),
    )
  : {};

let sim: Awaited<ReturnType<typeof startTestCluster>>;
const open: SshConnection[] = [];
beforeAll(async () => {
  sim = await startTestCluster();
});
afterAll(async () => {
  for (const c of open) c.close();
  await sim.stop();
});

const hosts: [string, boolean, () => Promise<SshConnection>][] = [
  ["a simulated host", true, async () => new SshConnection("hostB", sim.target("hostB"))],
  [
    `the lab's real hostB${labUp ? "" : " (skipped: the lab is down; sudo npm run lab:up)"}`,
    labUp,
    async () => {
      const address = /hostB:(\S+)/.exec(labVars.LAB_HOSTS ?? "")?.[1] ?? "";
      const { fingerprint } = await scanHostKey(address, 22);
      return new SshConnection("hostB", {
        address,
        port: 22,
        user: "root",
        fingerprint,
        auth: { kind: "key", keyPath: labVars.LAB_SSH_KEY },
      });
    },
  ],
];

describe.each(hosts)("a connection's long-lived shell on %s", (_name, up, connect) => {
  const conn = async () => {
    const c = await connect();
    open.push(c);
    return c;
  };

  it.skipIf(!up)("runs scripts one after another in one channel; each gets its own output and status", async () => {
    const c = await conn();
    expect(await c.execScript("echo one; echo two >&2; false")).toEqual({ code: 1, stdout: "one\n", stderr: "two\n" });
    // asked at once, they take turns in the one shell
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => c.execScript(`echo ${i}; echo e${i} >&2`)));
    expect(many.map((r) => [r.code, r.stdout, r.stderr])).toEqual(
      Array.from({ length: 6 }, (_, i) => [0, `${i}\n`, `e${i}\n`]),
    );
    // the shell keeps its channel between scripts, and no other is open
    expect(c.channelsInUse).toBe(1);
    // every command in it runs in the C locale, as exec's do
    expect((await c.execScript("echo $LC_ALL")).stdout).toBe("C\n");
  });

  it.skipIf(!up)(
    "a batch's commands read /dev/null: one that reads its stdin does not swallow what follows",
    async () => {
      const c = await conn();
      const [cat, after] = await execBatch(c, [["cat"], ["echo", "after"]], { timeoutMs: 10_000 });
      expect(cat).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(after).toEqual({ code: 0, stdout: "after\n", stderr: "" });
      expect((await c.execScript("echo next")).stdout).toBe("next\n");
    },
  );

  it.skipIf(!up)("a script that overstays its deadline fails as a timeout; a new shell runs the next one", async () => {
    const c = await conn();
    expect((await c.execScript("echo first")).stdout).toBe("first\n");
    const late = await errorOf(c.execScript("sleep 5; echo late", { timeoutMs: 300 }));
    expect(late.code).toBe("ssh_timeout");
    expect((await c.execScript("echo again")).stdout).toBe("again\n");
    expect(c.channelsInUse).toBe(1);
  });

  it.skipIf(!up)("a script cancelled by its caller fails as cancelled, and the one waiting its turn runs", async () => {
    const c = await conn();
    const stop = new AbortController();
    const first = c.execScript("sleep 5", { signal: stop.signal });
    const second = c.execScript("echo second");
    stop.abort();
    expect((await errorOf(first)).code).toBe("aborted");
    expect((await second).stdout).toBe("second\n");
  });
});

describe("a connection's long-lived shell waiting for a channel", () => {
  it("a script cancelled while every channel is busy fails as cancelled, and the connection stays up", async () => {
    const c = new SshConnection("hostB", sim.target("hostB"));
    open.push(c);
    // every channel the normal lane may take is held by a running command, so the shell waits to open
    const busy = Array.from({ length: MAX_CHANNELS - JOB_RESERVED_CHANNELS }, () => c.exec(["sleep", "1"]));
    const stop = new AbortController();
    const waiting = c.execScript("echo never", { signal: stop.signal, timeoutMs: 20_000 });
    // cancelled once it waits for a channel to open its shell in
    await vi.waitFor(() => expect(c.channelsQueued.normal).toBe(1));
    stop.abort();
    const err = await errorOf(waiting);
    expect([err.code, err.message]).toEqual(["aborted", "Command on hostB was cancelled."]);
    // the commands that held the channels finish on the same connection, and the shell opens for the next script
    expect((await Promise.all(busy)).map((r) => r.code)).toEqual(busy.map(() => 0));
    expect((await c.execScript("echo after")).stdout).toBe("after\n");
  });
});

describe("a connection's long-lived shell when the host goes away", () => {
  it("fails the running script as a dropped connection, and opens a new shell once the host is back", async () => {
    const c = new SshConnection("hostC", sim.target("hostC"));
    open.push(c);
    expect((await c.execScript("echo up")).stdout).toBe("up\n");
    const running = c.execScript("sleep 5");
    await sim.cluster.server("hostC").stop();
    expect((await errorOf(running)).code).toBe("ssh_disconnected");
    await sim.cluster.server("hostC").start();
    c.retryNow();
    expect((await c.execScript("echo back")).stdout).toBe("back\n");
  });
});
