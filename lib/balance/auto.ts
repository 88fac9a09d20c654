import type { AuditLog } from "../audit/service";
import { toAppError } from "../errors";
import { log } from "../log";
import type { BalanceService } from "./service";
import type { BalanceSettingsStore } from "./settings";

// The automatic mode, off unless an operator turns it on: every N minutes (the settings), the instance that leads
// asks for a recommendation with the saved settings and applies it — the planner has already left out every move whose
// forecast downtime passes its domain's maximum. Each automatic plan is audited (who: "automatic balancing") and
// announced in the log; a plan still running, or a cluster with nothing worth moving, applies nothing.

export const AUTO_ACTOR = "automatic balancing";

export class AutoBalancer {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private busy = false;

  constructor(
    private readonly balance: BalanceService,
    private readonly settings: BalanceSettingsStore,
    private readonly audit: AuditLog,
    /** several instances: only the leader balances (alone: always) */
    private readonly leads: () => boolean = () => true,
    private readonly tickMs = 60_000,
  ) {}

  start() {
    this.timer ??= setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  close() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look: applies a plan when the mode is on and its interval has passed; returns the moves started. */
  async tick(now = Date.now()): Promise<number> {
    if (this.busy || !this.leads()) return 0;
    const s = await this.settings.get();
    if (!s.auto || now - this.last < s.everyMinutes * 60_000) return 0;
    this.busy = true;
    this.last = now;
    try {
      const view = await this.balance.recommend({});
      const moves = view.plan.moves;
      if (!moves.length) return 0;
      const run = await this.balance.run(
        { expect: moves.map((m) => ({ domain: m.domain, target: m.target })) },
        AUTO_ACTOR,
        "automatic",
      );
      await this.audit.record({
        actor: AUTO_ACTOR,
        action: "balance.auto",
        target: s.mode,
        outcome: "ok",
        detail: {
          evacuationId: run.id,
          moves: moves.map((m) => `${m.domain}: ${m.from} → ${m.target}`),
          imbalance: [view.recommendation.before.score, view.recommendation.after.score],
        },
      });
      log.info(
        { evacuationId: run.id, moves: moves.length, mode: s.mode },
        `automatic balancing applied ${moves.length} move${moves.length === 1 ? "" : "s"}`,
      );
      return moves.length;
    } catch (e) {
      // a plan already running, or the cluster changed while it was made: the next interval tries again
      log.warn({ reason: toAppError(e).message }, "automatic balancing applied nothing this time");
      return 0;
    } finally {
      this.busy = false;
    }
  }
}
