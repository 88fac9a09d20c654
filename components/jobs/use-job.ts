"use client";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/events";
import { applyJobEvent, initialJobView, type JobEvent, type JobSummary, type JobView } from "@/lib/jobs/types";

/**
 * The one hook that streams a job: folds the server-rendered events, then subscribes with the last
 * seq it holds — on every (re)connect — so a browser that drops off catches up without a gap.
 */
export function useJob(initial: JobSummary, initialEvents: JobEvent[]) {
  const [view, setView] = useState<JobView>(() => initialEvents.reduce(applyJobEvent, initialJobView(initial)));
  const lastSeq = useRef(view.lastSeq);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ["websocket"] });
    const apply = (events: JobEvent[]) =>
      setView((v) => {
        const next = events.reduce(applyJobEvent, v);
        lastSeq.current = next.lastSeq;
        return next;
      });
    socket.on("connect", () => {
      setConnected(true);
      socket.emit("job:subscribe", { jobId: initial.id, afterSeq: lastSeq.current }, (reply) => {
        if (reply.ok) apply(reply.value.events);
      });
    });
    socket.on("disconnect", () => setConnected(false));
    socket.on("job:event", (e) => {
      if (e.jobId === initial.id) apply([e]);
    });
    return () => {
      socket.disconnect();
    };
  }, [initial.id]);

  return { view, connected };
}
