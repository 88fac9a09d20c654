import type { Db } from "../db/client";
import { toAppError } from "../errors";
import type { JobEngine } from "../jobs/engine";
import type { JobSummary } from "../jobs/types";
import { log } from "../log";
import type { Plan } from "./plan";
import type { MoveState } from "./types";

// An evacuation's parent loop (lib/evacuate/service.ts plans and starts it): up to the plan's concurrency of live
// migration jobs at once (one per link when the plan says so), then its moves by save/restore one at a time once
// nothing else runs (the plan's order), each move's state written as its job ends. The next live move whose link is
// taken starts early, to check while the moves before it send, and sends once they have (followable). A failed move
// does not stop the others; a stop launches nothing new; a closing process (close()) leaves the loop where it is, for
// the next start to resume.

/** Whether two moves use a link in common, as the plan counts links (lib/evacuate/schedule.ts). */
function shareLink(plan: Plan, a: MoveState, b: MoveState): boolean {
  return plan.oneMovePerLink === "pair"
    ? a.from === b.from && a.target === b.target
    : a.from === b.from || a.target === b.target;
}

/** A plan that runs one move per link: no running move uses this move's links. */
function linksFree(plan: Plan, moves: MoveState[], m: MoveState): boolean {
  return !plan.oneMovePerLink || !moves.some((x) => x.state === "running" && shareLink(plan, x, m));
}

/** A job a restart closed before it began its run, its domain found where the move takes it from. */
const neverBegan = (job: JobSummary, move: MoveState) =>
  job.status === "interrupted" && !job.startedAt && job.locationHost === move.from;

/** Running moves that hold a place in the plan's concurrency: those not waiting for the moves they follow. */
const sending = (moves: MoveState[]) => moves.filter((m) => m.state === "running" && !m.after?.length);

/**
 * A move that may start early: a live move that waits only for the running moves on its link (every running move, in
 * a plan of one at a time), to follow them onto it — it checks while they send and sends once they have, so the link
 * does not stand idle through its checks and their ends. One such move at a time, and only into another target than
 * theirs (the target's free memory, as the checks read it, does not yet count what arrives there): the first waiting
 * move that goes elsewhere, among those of the next move's priority.
 */
function followable(plan: Plan, moves: MoveState[]): { move: MoveState; after: string[] } | null {
  if (moves.some((m) => m.state === "running" && m.after?.length)) return null;
  const pending = moves.filter((m) => m.state === "pending");
  const running = moves.filter((m) => m.state === "running");
  if (!pending.length || running.some((m) => m.how === "save-restore" || !m.jobId)) return null;
  const priority = planned(plan, pending[0]).priority ?? 0;
  for (const next of pending) {
    if (next.how === "save-restore" || (planned(plan, next).priority ?? 0) !== priority) return null;
    const ahead = plan.oneMovePerLink
      ? running.filter((m) => shareLink(plan, m, next))
      : plan.concurrency === 1
        ? running
        : [];
    if (!ahead.length || ahead.some((m) => m.target === next.target)) continue;
    // once they have left, it must fit in the plan's concurrency
    if (sending(moves).length - ahead.length + 1 > plan.concurrency) continue;
    return { move: next, after: ahead.map((m) => m.jobId!) };
  }
  return null;
}

/** The plan's entry for a move (its priority). */
const planned = (plan: Plan, m: MoveState) =>
  plan.moves.find((p) => p.domain === m.domain && p.fromId === m.fromId) ?? { priority: 0 };

export class EvacuationRunner {
  /** evacuations asked to stop: nothing new starts, running moves finish (or are cancelled) */
  readonly stopping = new Set<string>();
  private readonly driving = new Set<string>();
  /** a stop of the process: the loops launch no more moves and write nothing more; the next start resumes them */
  private closing = false;

  constructor(
    private readonly db: Db,
    private readonly engine: JobEngine,
  ) {}

  /** Whether this process's loop drives the evacuation now. */
  drives(id: string): boolean {
    return this.driving.has(id);
  }

  close() {
    this.closing = true;
  }

  private async save(id: string, moves: MoveState[]) {
    await this.db.evacuation.update({ where: { id }, data: { movesJson: JSON.stringify(moves) } });
  }

  /** The parent's loop: launch up to the plan's concurrency, wait for a move to end, go on. */
  async drive(id: string) {
    if (this.driving.has(id)) return;
    this.driving.add(id);
    try {
      const row = await this.db.evacuation.findUniqueOrThrow({ where: { id } });
      const plan = JSON.parse(row.planJson) as Plan;
      const moves = JSON.parse(row.movesJson) as MoveState[];
      const waits = new Map<string, Promise<{ move: MoveState; job: JobSummary }>>();
      const watch = (m: MoveState) =>
        waits.set(
          m.jobId!,
          this.engine.whenFinished(m.jobId!).then((job) => ({ move: m, job })),
        );
      for (const m of moves.filter((x) => x.state === "running" && x.jobId)) watch(m);
      for (;;) {
        while (!this.closing && !this.stopping.has(id)) {
          const now =
            sending(moves).length < plan.concurrency
              ? moves.find(
                  (m) =>
                    m.state === "pending" &&
                    linksFree(plan, moves, m) &&
                    (m.how !== "save-restore" || !moves.some((x) => x.state === "running")),
                )
              : undefined;
          const early = now ? null : followable(plan, moves);
          const next = now ?? early?.move;
          if (!next) break;
          try {
            const who = {
              domain: next.domain,
              sourceId: next.fromId,
              targetId: next.targetId,
              createdBy: row.createdBy,
            };
            const job =
              next.how === "save-restore"
                ? // the operator read the outage in the plan; the move checks again as it starts
                  await this.engine.submitMove({ ...who, evacuationId: id })
                : await this.engine.submit({
                    ...who,
                    // the operator read the plan and its warnings before running it; the engine still re-checks
                    confirmWarnings: true,
                    options: next.options,
                    evacuationId: id,
                    ...(early ? { after: early.after } : {}),
                  });
            next.state = "running";
            next.jobId = job.id;
            if (early) next.after = early.after;
            watch(next);
          } catch (e) {
            // not started (the domain moved, another job has it): the others go on
            next.state = toAppError(e).code === "domain_not_found" ? "skipped" : "failed";
            next.message = toAppError(e).message;
          }
          await this.save(id, moves);
        }
        if (this.closing) return;
        if (!waits.size) break;
        const { move, job } = await Promise.race(waits.values());
        if (this.closing) return;
        // a stop asked through another instance is in the row
        if ((await this.db.evacuation.findUnique({ where: { id }, select: { status: true } }))?.status === "stopping")
          this.stopping.add(id);
        waits.delete(job.id);
        // a move that followed this one onto the link now holds its place
        for (const m of moves.filter((x) => x.after?.includes(job.id))) {
          m.after = m.after!.filter((j) => j !== job.id);
          if (!m.after.length) delete m.after;
        }
        if (neverBegan(job, move)) {
          // closed by a restart while it checked or waited for its turn on the link: nothing of it ran, so it waits
          // again (a move that follows another is started before its turn, so a restart can find it so)
          Object.assign(move, { state: "pending", jobId: null, message: null, after: undefined });
          await this.save(id, moves);
          continue;
        }
        move.state = job.status === "succeeded" ? "succeeded" : job.status === "cancelled" ? "cancelled" : "failed";
        move.message =
          job.status === "succeeded"
            ? `${move.domain} runs on ${move.target}.`
            : `${job.errorMessage ?? job.status} ${job.locationNote ?? ""}`.trim();
        await this.save(id, moves);
      }
      const stopped = this.stopping.has(id);
      if (stopped) for (const m of moves.filter((x) => x.state === "pending")) m.state = "skipped";
      const allDone = moves.every((m) => m.state === "succeeded");
      await this.db.evacuation.update({
        where: { id },
        data: {
          movesJson: JSON.stringify(moves),
          status: stopped ? "stopped" : allDone && plan.complete ? "finished" : "incomplete",
          finishedAt: new Date(),
        },
      });
      this.stopping.delete(id);
    } catch (e) {
      log.error({ err: e, evacuationId: id }, "evacuation loop crashed");
    } finally {
      this.driving.delete(id);
    }
  }
}
