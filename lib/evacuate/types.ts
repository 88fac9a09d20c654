import type { MigrationOptions } from "../toolstacks/types";
import type { Plan } from "./plan";

// An evacuation as the pages see it: its plan, and each domain's move with the job that carries it.

export type MoveStateName = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";
export interface MoveState {
  domain: string;
  from: string;
  fromId: string;
  target: string;
  targetId: string;
  state: MoveStateName;
  jobId: string | null;
  message: string | null;
  options?: MigrationOptions;
  /** a move by save/restore (lib/evacuate/by-save-restore.ts); absent: live */
  how?: "save-restore";
  /**
   * the jobs of the moves this one follows onto the link while they run: it was started early, checks meanwhile and
   * sends once they have sent (lib/evacuate/runner.ts); cleared as they end
   */
  after?: string[];
}
export type EvacuationStatus = "running" | "stopping" | "finished" | "incomplete" | "stopped";
export interface EvacuationView {
  id: string;
  /**
   * a host emptied, its domains brought home, domains the operator selected (hostId "", hostName the target), or a
   * balancing plan (hostId "", hostName its mode)
   */
  kind: "evacuate" | "return" | "group" | "balance";
  hostId: string;
  hostName: string;
  status: EvacuationStatus;
  plan: Plan;
  moves: MoveState[];
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  /** remaining time: the plan's forecast for what has not finished, at its concurrency */
  etaMs: number | null;
}
