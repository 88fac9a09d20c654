"use client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/events";

export type StreamSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Held = [event: string, args: unknown[]];
const connect = (): StreamSocket => io({ transports: ["websocket"] });

/**
 * The live stream's socket, opened as the page's script loads rather than once React has hydrated the page: on a
 * large cluster hydration takes most of a second, and the handshake (and the server's snapshot) can run beside it.
 * What the socket says before the page listens — connected, refused, the snapshot, any change — is held, in order,
 * and handed to the page's listeners when it takes the socket. One page takes it; any later one opens its own.
 */
let early: { socket: StreamSocket; held: Held[]; stop(): void } | null = null;

/** Open the early socket (in a browser, once); returns it (null: not in a browser, or already open). */
export function openStreamEarly(): StreamSocket | null {
  if (typeof window === "undefined" || early) return null;
  const socket = connect();
  const held: Held[] = [];
  const any = (event: string, ...args: unknown[]) => held.push([event, args]);
  const lifecycle = ["connect", "connect_error", "disconnect"] as const;
  const on = lifecycle.map((event) => {
    const hold = (...args: unknown[]) => held.push([event, args]);
    socket.on(event, hold);
    return () => socket.off(event, hold);
  });
  socket.onAny(any);
  // a page that never takes it (its script loaded, its component never shown) does not keep a connection open
  const unused = setTimeout(() => {
    if (early?.socket !== socket) return;
    early = null;
    socket.disconnect();
  }, 30_000);
  early = {
    socket,
    held,
    stop: () => {
      clearTimeout(unused);
      socket.offAny(any);
      for (const off of on) off();
    },
  };
  return socket;
}

/**
 * The stream's socket for a page: the early one if it is still unclaimed, else a new one. Call `listening()` once
 * the page's listeners are on: what the early socket held is then replayed to them.
 */
export function takeStreamSocket(): { socket: StreamSocket; listening(): void } {
  const taken = early;
  early = null;
  if (!taken) return { socket: connect(), listening: () => {} };
  taken.stop();
  return {
    socket: taken.socket,
    listening: () => {
      const emitter = taken.socket as unknown as { listeners(e: string): ((...a: unknown[]) => void)[] };
      for (const [event, args] of taken.held.splice(0)) for (const l of emitter.listeners(event)) l(...args);
    },
  };
}
