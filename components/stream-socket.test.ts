import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HostView } from "@/lib/inventory/types";

// The early stream socket (./stream-socket.ts) against a real socket.io server: what the server says before the
// page listens reaches the page's listeners, in order and once; what it says after comes straight through.

let server: Server;
let httpServer: http.Server;
const view = (id: string) => ({ id, name: id, domains: [] }) as unknown as HostView;

beforeAll(async () => {
  httpServer = http.createServer();
  server = new Server(httpServer);
  // as lib/server/realtime.ts does: the snapshot as soon as a browser connects, then whatever changes
  server.on("connection", (socket) => {
    socket.emit("inventory:snapshot", [view("h1"), view("h2")]);
    socket.emit("inventory:host", view("h2"));
    socket.emit("inventory:refreshed", { at: "2026-12-07T12:00:00.000Z", ms: 7 });
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const { port } = httpServer.address() as AddressInfo;
  // the module opens its socket only in a browser, to the page's own origin
  vi.stubGlobal("window", globalThis);
  vi.stubGlobal("location", new URL(`http://127.0.0.1:${port}/`));
});
afterAll(async () => {
  vi.unstubAllGlobals();
  server.close();
  await new Promise((r) => httpServer.close(r));
});

describe("the early stream socket", () => {
  it("holds what comes before the page listens and hands it over in order, once; later events come straight", async () => {
    const { openStreamEarly, takeStreamSocket } = await import("./stream-socket");
    const early = openStreamEarly();
    if (!early) throw new Error("no early socket opened");
    expect(openStreamEarly()).toBeNull(); // once
    // the page is still hydrating: everything the server sends on connect arrives before it listens
    await new Promise<void>((r) => early.once("inventory:refreshed", () => r()));

    const { socket, listening } = takeStreamSocket();
    expect(socket).toBe(early);
    const heard: string[] = [];
    socket.on("connect", () => heard.push("connect"));
    socket.on("inventory:snapshot", (all) => heard.push(`snapshot ${all.map((h) => h.id).join(",")}`));
    socket.on("inventory:host", (h) => heard.push(`host ${h.id}`));
    socket.on("inventory:refreshed", (r) => heard.push(`refreshed ${r.ms}`));
    expect(heard).toEqual([]);
    listening();
    expect(heard).toEqual(["connect", "snapshot h1,h2", "host h2", "refreshed 7"]);

    // after the hand-over nothing is held: a change reaches the page once
    const sent = new Promise<void>((r) => socket.once("inventory:host", () => r()));
    for (const s of server.sockets.sockets.values()) s.emit("inventory:host", view("h3"));
    await sent;
    expect(heard).toEqual(["connect", "snapshot h1,h2", "host h2", "refreshed 7", "host h3"]);
    listening(); // nothing left to replay
    expect(heard).toHaveLength(5);

    // the next page (a navigation back) opens its own socket
    const next = takeStreamSocket();
    expect(next.socket).not.toBe(early);
    next.socket.disconnect();
    socket.disconnect();
  });
});
