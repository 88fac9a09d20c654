"use client";
import { startTransition, useEffect, useMemo, useRef, useState } from "react";
import { openStreamEarly, type StreamSocket, takeStreamSocket } from "./stream-socket";
import { heardServerTime } from "./server-clock";
import type { HostView } from "@/lib/inventory/types";
import type { HostOutline } from "@/lib/inventory/outline";
import type { JobSummary } from "@/lib/jobs/types";

export type StreamStatus = "connecting" | "live" | "disconnected" | "signed-out";

// the pages that use this hook start their stream's handshake as their script loads (./stream-socket.ts)
openStreamEarly();

/**
 * The one hook that opens the inventory stream. Starts from the server-rendered picture — whole hosts, and outlines
 * of those the page left for the stream (`pending` until they come) —, applies host deltas batched per animation
 * frame, and takes a full snapshot on every (re)connect. Where no socket can connect, the hosts come over HTTP.
 */
export function useInventory(
  initial: HostView[],
  initialJobs: JobSummary[] = [],
  initialOutline: HostOutline[] = [],
  initialRefresh: { at: string; ms: number } | null = null,
) {
  const [hosts, setHosts] = useState<Map<string, HostView>>(() => new Map(initial.map((h) => [h.id, h])));
  const [outline, setOutline] = useState(initialOutline);
  const outlined = useRef(initialOutline.length > 0);
  const [jobs, setJobs] = useState<Map<string, JobSummary>>(() => new Map(initialJobs.map((j) => [j.id, j])));
  const [stream, setStream] = useState<StreamStatus>("connecting");
  // the last refresh as the server rendered it: the page's summary does not gain a line (and move the hosts) when
  // the stream's first one arrives
  const [lastRefresh, setLastRefresh] = useState(initialRefresh);
  const socketRef = useRef<StreamSocket | null>(null);

  useEffect(() => {
    const { socket, listening } = takeStreamSocket();
    socketRef.current = socket;
    let pending = new Map<string, HostView | null>();
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = new Map();
      // a transition too: a refresh of 1,000 hosts brings 1,000 views, and a drag or a scroll goes first
      startTransition(() =>
        setHosts((prev) => {
          const next = new Map(prev);
          for (const [id, view] of batch)
            if (view) next.set(id, view);
            else next.delete(id);
          return next;
        }),
      );
    };
    const queue = (id: string, view: HostView | null) => {
      pending.set(id, view);
      if (!frame) frame = requestAnimationFrame(flush);
    };
    socket.on("connect", () => setStream("live"));
    socket.on("disconnect", (reason) => setStream(reason === "io server disconnect" ? "signed-out" : "disconnected"));
    // the server refuses a socket without a live session: say so instead of retrying forever (and show what HTTP
    // still can: a proxy that passes no WebSocket refuses the socket, not the session)
    socket.on("connect_error", () => {
      setStream("signed-out");
      socket.disconnect();
      if (outlined.current)
        void fetch("/api/hosts")
          .then((r) => (r.ok ? (r.json() as Promise<{ hosts: HostView[] }>) : null))
          .then((body) => {
            if (!body) return;
            setHosts(new Map(body.hosts.map((h) => [h.id, h])));
            setOutline([]);
          })
          .catch(() => {});
    });
    // the snapshot on (re)connect mostly repeats what the page already shows: a host whose view is unchanged
    // keeps its object, so memoized columns do not render again (at 4,000 cards that is a second hydration)
    // (a transition: on a large cluster the hosts that were outlines render after "live" shows, in slices that
    // leave the page answering)
    socket.on("inventory:snapshot", (all) => {
      pending.clear();
      startTransition(() => {
        setOutline([]);
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
    });
    socket.on("inventory:host", (view) => queue(view.id, view));
    socket.on("inventory:host-removed", ({ id }) => {
      setOutline((o) => o.filter((h) => h.id !== id));
      queue(id, null);
    });
    socket.on("inventory:refreshed", (r) => {
      heardServerTime(r.at);
      setLastRefresh(r);
    });
    socket.on("job:summary", (s) => setJobs((prev) => new Map(prev).set(s.id, s)));
    listening();
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

  // the page renders again on every move of a drag: what it derives from a thousand hosts is kept between renders
  const list = useMemo(() => [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name)), [hosts]);
  const jobList = useMemo(() => [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)), [jobs]);
  const pendingList = useMemo(() => outline.filter((o) => !hosts.has(o.id)), [outline, hosts]);
  return { hosts: list, pending: pendingList, jobs: jobList, stream, lastRefresh, refresh };
}
