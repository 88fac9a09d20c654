import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { errorOf } from "./testing";
import { SshConnection, MAX_CHANNELS, JOB_RESERVED_CHANNELS } from "./connection";
import { scanHostKey } from "./host-key";
import { startTestCluster } from "../../sim/testing";

let sim: Awaited<ReturnType<typeof startTestCluster>>;
beforeAll(async () => {
  sim = await startTestCluster();
});
afterAll(async () => {
  await sim.stop();
});

describe("SshConnection against a simulated host", () => {
  it("runs argv and returns stdout, stderr and the exit code", async () => {
    const conn = new SshConnection("hostB", sim.target("hostB"));
    const ok = await conn.exec(["xl", "list"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("debian_etch_domU");
    const bad = await conn.exec(["xl", "list", "nosuch"]);
    expect(bad).toMatchObject({ code: 1, stdout: "", stderr: "nosuch is an invalid domain identifier (rc=-6)\n" });
    conn.close();
  });

  it("streams output line by line", async () => {
    const conn = new SshConnection("hostB", sim.target("hostB"));
    const lines: string[] = [];
    await conn.exec(["xl", "list"], { onStdoutLine: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^Name\s+ID/);
    expect(lines).toHaveLength(4);
    conn.close();
  });

  it("delivers hostile arguments to the host verbatim, as one argv word each", async () => {
    const conn = new SshConnection("hostC", sim.target("hostC"));
    const word = fc.string({ unit: fc.constantFrom(..."'\"\\$`;&|<>() \n-é"), minLength: 1, maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(word, async (w) => {
        const since = sim.world.commandLog.length;
        const r = await conn.exec(["xl", "list", w]);
        // 2: xl's "option not supported" for words that start with '-'; "--" ends xl's options (lists everything)
        expect(w === "--" ? [0] : [1, 2]).toContain(r.code);
        expect(sim.world.commandLog.slice(since).map((c) => c.argv)).toEqual([["xl", "list", w]]);
      }),
      { numRuns: 60 },
    );
    conn.close();
  });

  it(`never opens more than ${MAX_CHANNELS} channels at once, keeps ${JOB_RESERVED_CHANNELS} for a job's commands; the rest queue and all finish`, async () => {
    const conn = new SshConnection("hostA", sim.target("hostA"));
    let peak = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, conn.channelsInUse);
    }, 2);
    const flood = Promise.all(Array.from({ length: 20 }, () => conn.exec(["sleep", "0.05"])));
    await new Promise((r) => setTimeout(r, 30));
    const normalPeak = peak;
    // a job's polls arrive in the middle of the flood: they get the reserve at once
    const job = await Promise.all(
      Array.from({ length: JOB_RESERVED_CHANNELS }, () => conn.exec(["sleep", "0.05"], { lane: "job" })),
    );
    const results = [...(await flood), ...job];
    clearInterval(sample);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(normalPeak).toBe(MAX_CHANNELS - JOB_RESERVED_CHANNELS);
    expect(peak).toBe(MAX_CHANNELS);
    expect(conn.channelsQueued).toEqual({ job: 0, normal: 20 - (MAX_CHANNELS - JOB_RESERVED_CHANNELS) });
    conn.close();
  });

  it("refuses a changed host key and says so", async () => {
    const target = { ...sim.target("hostB"), fingerprint: sim.info("hostA").fingerprint };
    const conn = new SshConnection("hostB", target);
    const err = await errorOf(conn.exec(["xl", "list"]));
    expect(err.code).toBe("host_key_changed");
    expect(err.message).toContain(sim.info("hostB").fingerprint);
    expect(sim.world.commandLog.some((c) => c.host === "hostB" && c.argv[0] === "never")).toBe(false);
  });

  it("fails on a refused key without running anything", async () => {
    const before = sim.world.commandLog.length;
    const wrongKey = path.join(sim.stateDir, "hosts", "hostA", "ssh_host_ed25519_key");
    const conn = new SshConnection("hostB", { ...sim.target("hostB"), auth: { kind: "key", keyPath: wrongKey } });
    expect((await errorOf(conn.exec(["xl", "list"]))).code).toBe("ssh_auth_failed");
    expect(sim.world.commandLog.length).toBe(before);
  });

  it("reports an unreadable key file by path", async () => {
    const conn = new SshConnection("hostB", {
      ...sim.target("hostB"),
      auth: { kind: "key", keyPath: "/nonexistent/key" },
    });
    const err = await errorOf(conn.exec(["true"]));
    expect(err.code).toBe("ssh_key_unreadable");
    expect(err.message).toContain("/nonexistent/key");
  });

  it("turns a dead host into connection_refused, then reconnects by itself when it is back", async () => {
    const conn = new SshConnection("hostC", sim.target("hostC"));
    expect((await conn.exec(["true"])).code).toBe(0);
    await sim.cluster.server("hostC").stop();
    const dropped = await errorOf(conn.exec(["true"]));
    // the first command after the drop may race the socket's close event
    expect(["ssh_disconnected", "ssh_channel_failed", "ssh_connection_refused"]).toContain(dropped.code);
    conn.retryNow();
    expect((await errorOf(conn.exec(["true"]))).code).toBe("ssh_connection_refused");
    await sim.cluster.server("hostC").start();
    conn.retryNow();
    expect((await conn.exec(["true"])).code).toBe(0);
    expect(conn.state).toBe("ready");
    conn.close();
  });

  it("times out a command and cancels it on abort", async () => {
    const conn = new SshConnection("hostA", sim.target("hostA"));
    expect((await errorOf(conn.exec(["sleep", "5"], { timeoutMs: 100 }))).code).toBe("ssh_timeout");
    const ac = new AbortController();
    const p = conn.exec(["sleep", "5"], { signal: ac.signal });
    ac.abort();
    expect((await errorOf(p)).code).toBe("aborted");
    expect((await conn.exec(["true"])).code).toBe(0); // the connection survives both
    conn.close();
  });
});

describe("scanHostKey", () => {
  it("returns the fingerprint ssh-keygen would print for the host key", async () => {
    const h = sim.info("hostB");
    const pub = fs.readFileSync(path.join(sim.stateDir, "hosts", "hostB", "ssh_host_ed25519_key.pub"), "utf8");
    expect(pub.startsWith("ssh-ed25519 ")).toBe(true);
    expect(await scanHostKey(h.address, h.port)).toEqual({ fingerprint: h.fingerprint, keyType: "ssh-ed25519" });
  });

  it("says connection refused for a closed port", async () => {
    const h = sim.info("hostA");
    await sim.cluster.server("hostA").stop();
    try {
      expect((await errorOf(scanHostKey(h.address, h.port))).code).toBe("ssh_connection_refused");
    } finally {
      await sim.cluster.server("hostA").start();
    }
  });
});

describe("ssh-agent authentication", () => {
  it("authenticates with a key held by a real ssh-agent (SSH_AUTH_SOCK), and says so when there is no agent", async () => {
    const { execFileSync } = await import("node:child_process");
    const os = await import("node:os");
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ferry-agent-")), "agent.sock");
    const pid = /SSH_AGENT_PID=(\d+)/.exec(execFileSync("ssh-agent", ["-a", sock], { encoding: "utf8" }))![1];
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      execFileSync("ssh-add", [sim.info("hostB").keyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: "ignore",
      });
      process.env.SSH_AUTH_SOCK = sock;
      const conn = new SshConnection("hostB", { ...sim.target("hostB"), auth: { kind: "agent" } });
      expect((await conn.exec(["xl", "list"])).stdout).toContain("debian_etch_domU");
      conn.close();
      delete process.env.SSH_AUTH_SOCK;
      const none = new SshConnection("hostB", { ...sim.target("hostB"), auth: { kind: "agent" } });
      expect((await errorOf(none.exec(["true"]))).code).toBe("ssh_agent_unavailable");
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      process.kill(Number(pid));
    }
  });
});
