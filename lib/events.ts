import { z } from "zod";
import type { HostView } from "./inventory/types";

// The socket.io event map, shared by server and client. Client → server payloads are validated
// with zod at the boundary (server.ts); server → client payloads are typed here.

export interface ServerToClientEvents {
  "inventory:snapshot": (hosts: HostView[]) => void;
  "inventory:host": (host: HostView) => void;
  "inventory:host-removed": (payload: { id: string }) => void;
  "inventory:refreshed": (payload: { at: string; ms: number }) => void;
}

export type Ack<T> = (reply: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }) => void;

export interface ClientToServerEvents {
  "inventory:refresh": (payload: unknown, ack?: Ack<{ ms: number }>) => void;
}

export const refreshRequestSchema = z.object({}).strict();

export const ROOM_CLUSTER = "cluster";
