"use client";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/events";
import type { HostView } from "@/lib/inventory/types";
import type { JobSummary } from "@/lib/jobs/types";

export type StreamStatus = "connecting" | "live" | "disconnected" | "signed-out";

/**
 * The one hook that opens the inventory stream. Starts from the server-rendered picture, applies
 * host deltas batched per animation frame, and takes a full snapshot again after a reconnect.
 */
export function useInventory(initial: HostView[], initialJobs: JobSummary[] = []) {
  const [hosts, setHosts] = useState<Map<string, HostView>>(() => new Map(initial.map((h) => [h.id, h])));
  const [jobs, setJobs] = useState<Map<string, JobSummary>>(() => new Map(initialJobs.map((j) => [j.id, j])));
  const [stream, setStream] = useState<StreamStatus>("connecting");
  const [lastRefresh, setLastRefresh] = useState<{ at: string; ms: number } | null>(null);
  const socketRef = useRef<Socket<ServerToClientEvents, ClientToServerEvents> | null>(null);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ["websocket"] });
    socketRef.current = socket;
    let pending = new Map<string, HostView | null>();
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = new Map();
      setHosts((prev) => {
        const next = new Map(prev);
        for (const [id, view] of batch)
          if (view) next.set(id, view);
          else next.delete(id);
        return next;
      });
    };
    const queue = (id: string, view: HostView | null) => {
      pending.set(id, view);
      if (!frame) frame = requestAnimationFrame(flush);
    };
    socket.on("connect", () => setStream("live"));
    socket.on("disconnect", (reason) => setStream(reason === "io server disconnect" ? "signed-out" : "disconnected"));
    // the server refuses a socket without a live session: say so instead of retrying forever
    socket.on("connect_error", () => {
      setStream("signed-out");
      socket.disconnect();
    });
    // the snapshot on (re)connect mostly repeats what the page already shows: a host whose view is unchanged
    // keeps its object, so memoized columns do not render again (at 4,000 cards that is a second hydration)
    socket.on("inventory:snapshot", (all) => {
      pending.clear();
      setHosts(
        (prev) =>
          new Map(
            all.map((h) => {
              const old = prev.get(h.id);
              return [h.id, old && JSON.stringify(old) === JSON.stringify(h) ? old : h];
            }),
          ),
      );
    });
    socket.on("inventory:host", (view) => queue(view.id, view));
    socket.on("inventory:host-removed", ({ id }) => queue(id, null));
    socket.on("inventory:refreshed", setLastRefresh);
    socket.on("job:summary", (s) => setJobs((prev) => new Map(prev).set(s.id, s)));
    return () => {
      if (frame) cancelAnimationFrame(frame);
      socket.disconnect();
    };
  }, []);

  const refresh = () =>
    new Promise<{ ms: number }>((resolve, reject) => {
      socketRef.current?.emit("inventory:refresh", {}, (reply) =>
        reply.ok ? resolve(reply.value) : reject(new Error(reply.error.message)),
      );
    });

  const list = [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name));
  const jobList = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { hosts: list, jobs: jobList, stream, lastRefresh, refresh };
}
