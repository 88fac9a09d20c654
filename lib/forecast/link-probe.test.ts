import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshConnection } from "../ssh/connection";
import { startTestCluster } from "../../sim/testing";
import { probeLink } from "./link-probe";

// The timed transfer that gives the forecast a link speed before the first migration on a link.

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

describe("probeLink", () => {
  it("measures the simulated link hostB → hostC close to its configured speed (never faster)", async () => {
    sim.world.links.set(sim.world.linkKey("hostB", "hostC"), 20_000_000); // 20 MB/s: 32 MiB take ~1.7 s
    const p = await probeLink(conn, "hostB", "192.168.1.69");
    expect(p).not.toBeNull();
    expect(p!.bytes).toBe(32 * 1024 * 1024);
    // the zeros cost the simulator nothing to carry (sim/commands/streams.ts): what is timed is the link
    expect(p!.bps / 20_000_000).toBeGreaterThan(0.8);
    expect(p!.bps / 20_000_000).toBeLessThan(1.05);
    // the address reached the host as one argv word of the pipeline, not as shell text
    const run = sim.world.commandLog.filter(
      (c) => c.host === "hostB" && c.argv[0] === "ssh" && c.argv.includes("wc"),
    )[0];
    expect(run?.argv).toEqual(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "192.168.1.69", "wc", "-c"]);
  });

  it("gives no figure when the target does not answer", async () => {
    expect(await probeLink(conn, "hostB", "192.168.1.99")).toBeNull();
  });
});
