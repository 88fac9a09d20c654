import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listenOn } from "./listen";

const open: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe("listenOn", () => {
  it("listens, and a second server on the same port is refused with a sentence", async () => {
    const first = createServer();
    open.push(first);
    await listenOn(first, 0, "127.0.0.1", "Ferry");
    const port = (first.address() as { port: number }).port;
    const second = createServer();
    await expect(listenOn(second, port, "127.0.0.1", "Ferry")).rejects.toThrow(
      `Ferry cannot listen on 127.0.0.1:${port}: the port is already in use (another Ferry?). Stop it, or choose another port.`,
    );
    expect(second.listening).toBe(false);
  });

  it("names an address this machine does not have", async () => {
    const s = createServer();
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a local interface
    await expect(listenOn(s, 0, "192.0.2.1", "Ferry's metrics endpoint")).rejects.toThrow(
      "Ferry's metrics endpoint cannot listen on 192.0.2.1:0: this machine has no such address.",
    );
  });
});
