import type { JobEvent } from "./types";

/**
 * Keeps a job's event stream whole on the client. An event whose seq skips ahead of the last one held means some
 * were missed — with several instances, those sent by the instance running the job in the moment before this
 * browser's instance joined the job's room. The live events are then held, the missing ones asked for
 * (job:subscribe from the last seq held, served from the database), and all applied in order. The server writes
 * events within tens of milliseconds, so an answer that still lacks them is asked again, a few times, a little later.
 */
export function gapFiller(o: {
  lastSeq: () => number;
  apply: (events: JobEvent[]) => void;
  catchUp: (afterSeq: number) => Promise<JobEvent[]>;
  waitMs?: (attempt: number) => number;
}) {
  let held: JobEvent[] | null = null;
  const fill = async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const got = await o.catchUp(o.lastSeq()).catch(() => [] as JobEvent[]);
      const all = [...got, ...(held ?? [])].sort((a, b) => a.seq - b.seq);
      // apply what runs on without a hole from the last seq held
      const run: JobEvent[] = [];
      let next = o.lastSeq() + 1;
      for (const e of all) {
        if (e.seq < next) continue;
        if (e.seq > next) break;
        run.push(e);
        next++;
      }
      if (run.length) o.apply(run);
      held = all.filter((e) => e.seq >= next);
      if (!held.length) break;
      await new Promise((r) => setTimeout(r, o.waitMs?.(attempt) ?? 60 * (attempt + 1)));
    }
    // still a hole after every attempt: go on with what came (the job page's figures stay right; a log line may lack)
    const rest = held ?? [];
    held = null;
    if (rest.length) o.apply(rest);
  };
  return (e: JobEvent) => {
    if (held) {
      held.push(e);
      return;
    }
    if (e.seq > o.lastSeq() + 1) {
      held = [e];
      void fill();
      return;
    }
    o.apply([e]);
  };
}
