import { AppError, toAppError } from "../errors";
import { HostSilent } from "./settle";
import {
  closedAfterRestart,
  silentOutcome,
  type JobContext,
  type JobKindRunner,
  type JobOutcome,
} from "./kinds/context";

// The one run of every job kind: "checking", the kind's checks (stored as the job's), a refusal that leaves the
// domain untouched, or the run; whatever ends it, the job says where the domain is. The engine queues the job and
// owns its events (lib/jobs/engine.ts); the kinds (lib/jobs/kinds/) say what their checks and their run are.

export async function runJob(
  ctx: JobContext,
  kind: JobKindRunner,
  finish: (o: JobOutcome) => Promise<void>,
): Promise<void> {
  const { row, jobId } = ctx;
  const source = ctx.inventory.get(row.sourceHostId);
  const target = (row.targetHostId && ctx.inventory.get(row.targetHostId)) || null;
  try {
    await ctx.emit({ type: "status", phase: "pre-migration", payload: { status: "checking" } });
    if (!source || (kind.needsTarget && !target))
      throw new AppError("not_found", "A host of this job is no longer registered.");
    const hosts = { source, target };
    const { checks, prepared, forecast } = await kind.check(ctx, hosts);
    await ctx.emit({
      type: "checks",
      phase: "pre-migration",
      payload: forecast ? { checks, forecast: { ...forecast } } : { checks },
    });
    const failed = checks.filter((c) => c.status === "fail");
    const warned = checks.filter((c) => c.status === "warn");
    const confirmed = JSON.parse(row.optionsJson ?? "{}").confirmWarnings === true;
    if (failed.length || (kind.confirmWarnings && warned.length && !confirmed)) {
      return await finish({
        status: "failed",
        errorCode: "check_failed",
        errorMessage: failed.length
          ? failed.map((c) => c.reason).join(" ")
          : `Unconfirmed warnings: ${warned.map((c) => c.reason).join(" ")}`,
        location: kind.untouched(row, hosts),
      });
    }
    if (ctx.cancel.aborted)
      return await finish({
        status: "cancelled",
        errorCode: "migrate_cancelled",
        errorMessage: "Cancelled during the checks.",
        location: kind.untouched(row, hosts),
      });
    // a move that follows others onto the link (an evacuation's next one) checked while they sent; it sends after them
    if (ctx.ahead.length) {
      const names = ctx.ahead.map((j) => j.domain).join(" and ");
      await ctx.emit({
        type: "log",
        phase: "pre-migration",
        payload: { line: `ferry: checks passed; waiting for ${names} to finish sending its memory over the link` },
      });
      const cancelled = await ctx.turn().then(
        () => ctx.cancel.aborted,
        () => true,
      );
      if (cancelled)
        return await finish({
          status: "cancelled",
          errorCode: "migrate_cancelled",
          errorMessage: `Cancelled while waiting for ${names} to leave the link.`,
          location: kind.untouched(row, hosts),
        });
    }
    await ctx.db.job.update({ where: { id: jobId }, data: { startedAt: new Date() } });
    await ctx.emit({ type: "status", phase: "pre-migration", payload: { status: "running" } });
    await finish(await kind.run(ctx, hosts, prepared));
  } catch (e) {
    if (e instanceof HostSilent) return await finish(silentOutcome(e, row.kind));
    const err = toAppError(e);
    await finish({
      status: "failed",
      errorCode: err.code,
      errorMessage: err.message,
      location: { host: null, note: kind.lookNote },
    });
  } finally {
    if (source) void ctx.inventory.refreshHost(source.id);
    if (target) void ctx.inventory.refreshHost(target.id);
  }
}

/**
 * After a restart: closes a job that was checking or running by asking the hosts (the kind's recovery). Nothing is
 * assumed: a host that is not registered any more, or that stays silent, leaves the job "interrupted" with where to look.
 */
export async function recoverJob(
  ctx: JobContext,
  kind: JobKindRunner,
  adopted: boolean,
  finish: (o: JobOutcome) => Promise<void>,
): Promise<void> {
  const { row } = ctx;
  const source = ctx.inventory.get(row.sourceHostId);
  const target = row.targetHostId ? ctx.inventory.get(row.targetHostId) : null;
  const lookAt = `${row.sourceName}${row.targetName ? ` and ${row.targetName}` : ""} for ${row.domainName}`;
  const interrupted = (errorMessage: string, note: string): JobOutcome => ({
    status: "interrupted",
    errorCode: "ssh_lost_during_job",
    errorMessage,
    location: { host: null, note },
  });
  await ctx.emit({
    type: "log",
    phase: ctx.phase(),
    payload: { line: `ferry: closing this ${row.kind} by asking the hosts where ${row.domainName} is` },
  });
  try {
    if (!source || (kind.needsTarget && !target))
      return await finish(
        interrupted(closedAfterRestart(adopted), `A host of this job is no longer registered; check ${lookAt}.`),
      );
    await finish(await kind.recover(ctx, adopted));
  } catch (e) {
    if (e instanceof HostSilent) return await finish(silentOutcome(e, row.kind));
    const image = row.imagePath ? `, and the Images page for ${row.imagePath}` : "";
    await finish(interrupted(`${closedAfterRestart(adopted)} (${toAppError(e).message})`, `Check ${lookAt}${image}.`));
  }
}
