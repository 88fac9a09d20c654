import type { Db } from "../../db/client";
import type { Inventory } from "../../inventory/inventory";
import type { HostView } from "../../inventory/types";
import type { ImageCatalog } from "../../images/catalog";
import type { Check } from "../../checks/migration";
import type { ErrorCode } from "../../errors";
import type { DomainLocation } from "../../toolstacks/events";
import { jobLane } from "../lane";
import type { HostSilent, Asking } from "../settle";
import type { JobEventInput, JobPhase } from "../types";
import type { TuneJobInput } from "../schema";
import type { Preflight } from "../preflight";
import type { ForecastWithInputs } from "../../forecast/inputs";

// What every job kind (lib/jobs/kinds/*) is given and gives back. A kind's steps take a RunContext (the services and
// the job's own events; the dialogs' checks build one with no job); a kind's run and recovery take the JobContext,
// which adds the job's row, its cancel signal, the engine's timing and its preflight.

export type JobRow = Awaited<ReturnType<Db["job"]["findUniqueOrThrow"]>>;

/** How a job ended, and where its domain is. */
export interface JobOutcome {
  status: "succeeded" | "failed" | "cancelled" | "interrupted";
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  location: DomainLocation;
}

export interface RunContext {
  db: Db;
  inventory: Inventory;
  catalog: ImageCatalog;
  /** "" when no job runs (a dialog's checks) */
  jobId: string;
  emit(e: JobEventInput): Promise<void>;
  /** how long a host may stay silent after a lost session (ms) */
  reconnectMs: number;
  /** how often a command Ferry lost sight of, or a file copy's progress, is looked at again (ms) */
  pollMs: number;
}

export interface JobContext extends RunContext {
  row: JobRow;
  preflight: Preflight;
  /** aborted by an operator's cancel (or by a migration's stall policy) */
  cancel: AbortSignal;
  abort(): void;
  /** the job's phase as its events have set it */
  phase(): JobPhase;
  /** the jobs this one follows onto the link (MigrateRequest.after): none for most */
  ahead: { id: string; domain: string }[];
  /** resolves once those have left the link (lib/jobs/watch.ts); rejects when this job is cancelled meanwhile */
  turn(): Promise<void>;
  /** tunes this job's migration while it runs (the engine's tune) */
  tune(change: TuneJobInput, askedBy: string): Promise<unknown>;
  /** the polls that measure a downtime from outside, and those of a toolstack that reports its own (ms) */
  downtimePollMs: number;
  reportPollMs: number;
}

/** A job kind's two hosts: the one it starts from, and the one it ends on (a save has none). */
export interface JobHosts {
  source: HostView;
  target: HostView | null;
}

/**
 * One kind of job. The run template (lib/jobs/run-job.ts) records "checking", asks `check`, refuses on a failed
 * check (and on warnings when `confirmWarnings` and the operator did not confirm them), then calls `run`; after a
 * restart, recoverJob (run-job.ts) calls `recover`, which closes the job by asking the hosts.
 */
export interface JobKindRunner<Prepared = unknown> {
  /** does this kind need a target host? */
  needsTarget: boolean;
  /** are warnings refused unless the operator confirmed them at submission? */
  confirmWarnings: boolean;
  /** the checks, what the run needs of them, and a forecast that replaces the one made at launch (when they found more) */
  check(
    ctx: JobContext,
    hosts: JobHosts,
  ): Promise<{ checks: Check[]; prepared: Prepared; forecast?: ForecastWithInputs }>;
  /** where the domain stays when the job is refused before it touched anything */
  untouched(row: JobRow, hosts: JobHosts): DomainLocation;
  run(ctx: JobContext, hosts: JobHosts, prepared: Prepared): Promise<JobOutcome>;
  /** where to look when the job failed in a way its steps did not conclude */
  lookNote: string;
  /** after a restart (`adopted`: another instance's job, whose instance stopped): closes the job by asking the hosts */
  recover(ctx: JobContext, adopted: boolean): Promise<JobOutcome>;
}

export const asking = (ctx: RunContext): Asking => ({
  emit: ctx.emit,
  connection: (h) => jobLane(ctx.inventory.connection(h)),
  reconnectMs: ctx.reconnectMs,
  pollMs: ctx.pollMs,
});

/** The job's outcome when a host stayed silent: nothing concluded, nothing deleted. */
export function silentOutcome(e: HostSilent, what: string): JobOutcome {
  return {
    status: "interrupted",
    errorCode: "ssh_lost_during_job",
    errorMessage: `Ferry lost its SSH session to ${e.host} during the ${what} and could not reach it again (${e.why}).`,
    location: {
      host: null,
      note: `Nothing was deleted. Where the domain is and whether the image is whole is unknown until ${e.host} answers: check it there, then Scan hosts on the Images page.`,
    },
  };
}

/** The error of a job closed after its Ferry stopped: by this process after a restart, or by another instance. */
export function closedAfterRestart(adopted: boolean): string {
  return adopted
    ? "The Ferry instance running this job stopped; another instance closed it by asking the hosts."
    : "Ferry restarted while this job ran; it was closed by asking the hosts.";
}

/** A job closed after a restart: a success stays one; anything else is "interrupted", closed by asking the hosts. */
export const interruptedBy =
  (adopted: boolean) =>
  (o: JobOutcome): JobOutcome =>
    o.status === "succeeded"
      ? o
      : { ...o, status: "interrupted", errorCode: "ssh_lost_during_job", errorMessage: closedAfterRestart(adopted) };
