import { toAppError } from "../../errors";
import { targetAddressOf } from "../../checks/migration";
import { driverOf, type MigrationOptions } from "../../toolstacks";
import type { DiskCopy } from "../../toolstacks/types";
import { copiesOf } from "../../checks/storage";
import { withDisks } from "../../toolstacks/linux/disk-copies";
import { eventsAfter } from "../store";
import { jobLane } from "../lane";
import { StallWatch, stallPolicyOf } from "../stall";
import { closedAfterRestart, type JobContext, type JobKindRunner, type JobOutcome } from "./context";

// Live migration: the toolstack's own `migrate` (xl, xm, virsh — lib/toolstacks/*/migrate.ts) with Ferry's checks
// before it, the stall policy chosen at launch while it runs, and after a restart the hosts asked where the domain is.

const chosenOptions = (ctx: JobContext) =>
  JSON.parse(ctx.row.optionsJson ?? "{}").migration as MigrationOptions | undefined;

export const migrateKind: JobKindRunner<DiskCopy[]> = {
  needsTarget: true,
  confirmWarnings: true,
  lookNote: "Ferry could not finish its checks; see the hosts.",

  async check(ctx, { source, target }) {
    const { row } = ctx;
    const options = chosenOptions(ctx);
    const { checks, disks, forecast } = await ctx.preflight
      .migration(row.domainName, source.id, target!.id, options)
      .catch(async (e) => {
        // re-check against a fresh picture if the domain moved since the last refresh
        if (toAppError(e).code !== "domain_not_found") throw e;
        await ctx.inventory.refreshHost(source.id);
        return ctx.preflight.migration(row.domainName, source.id, target!.id, options);
      });
    return {
      checks: checks.map((c) => (c.id === "no-other-job" ? { ...c, status: "ok" as const, reason: "This job." } : c)),
      // the disks the target does not see, as the checks found them: copied with the memory
      prepared: copiesOf(disks),
      // admission forecast the memory alone (it does not look at disks): the checks' forecast counts their copy too
      ...(copiesOf(disks).length ? { forecast } : {}),
    };
  },

  untouched: (row, { source }) => ({
    host: source.name,
    note: `${row.domainName} stays on ${source.name}, untouched.`,
  }),

  async run(ctx, { source, target }, copyDisks) {
    const chosen = chosenOptions(ctx);
    const driver = driverOf(source.toolstack);
    // options Ferry changed at launch (lib/jobs/admission.ts: the source's hypervisor breaks with those chosen)
    const because = JSON.parse(ctx.row.optionsJson ?? "{}").saferBecause as string | undefined;
    if (because) await ctx.emit({ type: "log", phase: ctx.phase(), payload: { line: `ferry: ${because}` } });
    // a pre-copy that ends only when it converges (QEMU's) gets the stall policy chosen at launch
    const watch = driver.capabilities.precopyPolicy === "qemu" ? new StallWatch(stallPolicyOf(chosen)) : null;
    let stalled: string | null = null;
    const onStall = (why: string) => {
      if (stallPolicyOf(chosen).action === "postcopy") {
        void ctx.emit({
          type: "log",
          phase: ctx.phase(),
          payload: { line: `ferry: ${why} Switching to post-copy, as chosen at launch.` },
        });
        ctx.tune({ postcopy: true }, "the stall policy chosen at launch").catch((e) => {
          // post-copy refused (already finishing, or the host said no): abort rather than run on unattended
          stalled = `${why} The switch to post-copy failed (${toAppError(e).message}), so Ferry aborted it.`;
          ctx.abort();
        });
      } else {
        stalled = `${why} Ferry aborted it, as chosen at launch; the domain keeps running on ${source.name}.`;
        void ctx.emit({ type: "log", phase: ctx.phase(), payload: { line: `ferry: ${stalled}` } });
        ctx.abort();
      }
    };
    const outcome = await driver.migrate({
      source: jobLane(ctx.inventory.connection(source)),
      target: jobLane(ctx.inventory.connection(target!)),
      sourceName: source.name,
      targetName: target!.name,
      domain: ctx.row.domainName,
      targetAddress: targetAddressOf(target!),
      // QEMU reports its own figures every half second; a downtime measured from outside needs fast polls
      pollMs: driver.capabilities.reportsDowntime ? ctx.reportPollMs : ctx.downtimePollMs,
      cancel: ctx.cancel,
      options: chosen,
      ...(copyDisks.length ? { copyDisks } : {}),
      silentHostMs: ctx.reconnectMs,
      emit: (e) => {
        const stored = ctx.emit(e);
        const why = e.type === "jobinfo" ? watch?.feed(e.payload) : null;
        if (why && !ctx.cancel.aborted) onStall(why);
        return stored;
      },
      phase: ctx.phase,
    });
    // an abort by the stall policy is not an operator's cancel: the job failed, and says why
    return stalled && outcome.status === "cancelled"
      ? { ...outcome, status: "failed", errorCode: "migrate_stalled", errorMessage: stalled }
      : outcome;
  },

  /** After a restart: the toolstack finds the domain on either host; on the target, the migration succeeded. */
  async recover(ctx, adopted): Promise<JobOutcome> {
    const { row } = ctx;
    const source = ctx.inventory.get(row.sourceHostId);
    const target = row.targetHostId ? ctx.inventory.get(row.targetHostId) : undefined;
    let location = { host: null as string | null, note: "The hosts are no longer registered; check them by hand." };
    if (source && target) {
      location = await driverOf(source.toolstack).locate(
        {
          source: jobLane(ctx.inventory.connection(source)),
          target: jobLane(ctx.inventory.connection(target)),
          sourceName: source.name,
          targetName: target.name,
          domain: row.domainName,
          silentHostMs: ctx.reconnectMs,
        },
        30_000,
      );
    }
    const arrived = location.host === row.targetName;
    const meanwhile = adopted ? "while the instance running it was down" : "while Ferry was restarting";
    const outcome: JobOutcome = {
      status: arrived ? "succeeded" : "interrupted",
      errorCode: arrived ? null : "ssh_lost_during_job",
      errorMessage: arrived ? null : closedAfterRestart(adopted),
      location: {
        host: location.host,
        note: `${location.note}${arrived ? ` It finished ${meanwhile}; downtime was not measured.` : ""}`,
      },
    };
    // the disk copies the job had begun to create (each stored before it was made): removed if the guest stayed
    const created = (await eventsAfter(ctx.db, ctx.jobId, 0)).flatMap((e) =>
      e.type === "disk-copy" && e.payload.host === row.targetName ? [e.payload] : [],
    );
    if (!created.length || !source || !target) return outcome;
    return withDisks(
      {
        target: jobLane(ctx.inventory.connection(target)),
        sourceName: source.name,
        targetName: target.name,
        emit: ctx.emit,
        phase: ctx.phase,
      },
      created,
      outcome,
    );
  },
};
