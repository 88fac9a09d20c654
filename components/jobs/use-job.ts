"use client";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/events";
import { applyJobEvent, initialJobView, type JobEvent, type JobSummary, type JobView } from "@/lib/jobs/types";
import { gapFiller } from "@/lib/jobs/gap-fill";

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
    const apply = (events: JobEvent[]) => {
      // the seq moves at once (the gap filler reads it before React renders)
      for (const e of events) lastSeq.current = Math.max(lastSeq.current, e.seq);
      setView((v) => events.reduce(applyJobEvent, v));
    };
    // an event that skips ahead (several instances: sent before this one joined the job's room) asks for the rest
    const feed = gapFiller({
      lastSeq: () => lastSeq.current,
      apply,
      catchUp: (afterSeq) =>
        new Promise((resolve) =>
          socket.emit("job:subscribe", { jobId: initial.id, afterSeq }, (reply) =>
            resolve(reply.ok ? reply.value.events : []),
          ),
        ),
    });
    socket.on("connect", () => {
      setConnected(true);
      socket.emit("job:subscribe", { jobId: initial.id, afterSeq: lastSeq.current }, (reply) => {
        if (reply.ok) apply(reply.value.events);
      });
    });
    socket.on("disconnect", () => setConnected(false));
    socket.on("job:event", (e) => {
      if (e.jobId === initial.id) feed(e);
    });
    return () => {
      socket.disconnect();
    };
  }, [initial.id]);

  return { view, connected };
}
