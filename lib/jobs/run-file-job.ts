import { AppError, toAppError } from "../errors";
import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import type { ImageCatalog } from "../images/catalog";
import type { HostView } from "../inventory/types";
import type { Check } from "../checks/migration";
import { runRestore, runSave, saveChecks, silentOutcome, type RunContext } from "./run-saverestore";
import { restoreChecks } from "./restore-checks";
import { copyImage, moveImagePath } from "./move-image";
import { HostSilent } from "./settle";
import { handOverDefinition } from "./move-definition";
import type { JobEventInput, JobStatus } from "./types";

// Running a save, restore or move-by-save/restore job: checks, then the steps; every failure says where the
// domain is. The engine (lib/jobs/engine.ts) queues it and owns its events.

export type JobRow = Awaited<ReturnType<Db["job"]["findUniqueOrThrow"]>>;
type Outcome = {
  status: JobStatus;
  errorCode: string | null;
  errorMessage: string | null;
  location: { host: string | null; note: string };
};

export interface FileJobDeps {
  db: Db;
  inventory: Inventory;
  catalog: ImageCatalog;
  record(jobId: string, e: JobEventInput): Promise<void>;
  finish(jobId: string, o: Outcome): Promise<void>;
  /** the live-migration checks (a move reuses the host-level ones) */
  migrationChecks(domain: string, sourceId: string, targetId: string): Promise<Check[]>;
  /** how long a host may stay silent after a lost session, and how often a running command is looked at (ms) */
  reconnectMs: number;
  settlePollMs: number;
}

/** A move's checks: the host-level ones of a live migration, then the save's (directory, space, no overwrite). */
export async function moveChecks(
  ctx: RunContext,
  migrationChecks: FileJobDeps["migrationChecks"],
  source: HostView,
  target: HostView,
  domain: string,
): Promise<{ checks: Check[]; movePath: { path: string; shared: boolean } }> {
  const movePath = await moveImagePath(ctx, source, target, domain);
  const live = await migrationChecks(domain, source.id, target.id);
  const hostLevel = ["target-differs", "maintenance", "domain-running", "target-online", "toolstack", "arch", "memory"];
  const save = await saveChecks(ctx, source, domain, movePath.path);
  return {
    checks: [...live.filter((c) => hostLevel.includes(c.id)), ...save.filter((c) => c.id !== "domain-running")],
    movePath,
  };
}

/** What a file job's steps need: the services, and the job's own events. */
export function jobContext(x: FileJobDeps, jobId: string): RunContext {
  return {
    db: x.db,
    inventory: x.inventory,
    catalog: x.catalog,
    jobId,
    emit: (e) => x.record(jobId, e),
    reconnectMs: x.reconnectMs,
    pollMs: x.settlePollMs,
  };
}

export async function runFileJob(x: FileJobDeps, row: JobRow): Promise<void> {
  const jobId = row.id;
  const ctx = jobContext(x, jobId);
  const source = x.inventory.get(row.sourceHostId);
  const target = row.targetHostId ? x.inventory.get(row.targetHostId) : undefined;
  try {
    await x.record(jobId, { type: "status", phase: "pre-migration", payload: { status: "checking" } });
    if (!source || (row.kind !== "save" && !target))
      throw new AppError("not_found", "A host of this job is no longer registered.");
    let checks: Check[] = [];
    let movePath: { path: string; shared: boolean } | null = null;
    if (row.kind === "save") checks = await saveChecks(ctx, source, row.domainName, row.imagePath!);
    if (row.kind === "restore")
      checks = await restoreChecks(
        ctx,
        await x.catalog.get(row.imageId!),
        target!,
        JSON.parse(row.optionsJson ?? "{}").acknowledgeStale === true,
      );
    if (row.kind === "move") {
      ({ checks, movePath } = await moveChecks(ctx, x.migrationChecks, source, target!, row.domainName));
      await x.db.job.update({ where: { id: jobId }, data: { imagePath: movePath.path } });
    }
    await x.record(jobId, { type: "checks", phase: "pre-migration", payload: { checks } });
    const failed = checks.filter((c) => c.status === "fail");
    if (failed.length) {
      return await x.finish(jobId, {
        status: "failed",
        errorCode: "check_failed",
        errorMessage: failed.map((c) => c.reason).join(" "),
        location: {
          host: row.kind === "restore" ? null : source.name,
          note:
            row.kind === "restore"
              ? `${row.domainName} stays in ${row.sourceName}:${row.imagePath}.`
              : `${row.domainName} stays on ${source.name}, untouched.`,
        },
      });
    }
    await x.db.job.update({ where: { id: jobId }, data: { startedAt: new Date() } });
    await x.record(jobId, { type: "status", phase: "pre-migration", payload: { status: "running" } });
    if (row.kind === "save") {
      const out = await runSave(ctx, source, row.domainName, row.memoryMiB, row.imagePath!);
      if (out.image) await x.db.job.update({ where: { id: jobId }, data: { imageId: out.image.id } });
      return await x.finish(jobId, out);
    }
    if (row.kind === "restore")
      return await x.finish(jobId, await runRestore(ctx, await x.catalog.get(row.imageId!), target!));
    // move: save on the source, copy if the target cannot see the file, restore, then delete the copies
    // the guest stops when the save begins and runs again when the restore ends: that is the move's downtime
    const stoppedAt = Date.now();
    const saved = await runSave(ctx, source, row.domainName, row.memoryMiB, movePath!.path);
    if (saved.status !== "succeeded" || !saved.image) return await x.finish(jobId, saved);
    let image = saved.image;
    if (!movePath!.shared) {
      const dest = await copyImage(ctx, source, target!, image);
      if (!dest)
        return await x.finish(jobId, {
          status: "failed",
          errorCode: "migrate_link_lost",
          errorMessage: `Could not copy the image to ${target!.name}.`,
          location: {
            host: null,
            note: `${row.domainName} is saved in ${source.name}:${movePath!.path}; restore it from the Images page.`,
          },
        });
      image = await x.catalog.record({
        host: target!,
        path: dest,
        header: { name: image.domainName, uuid: null, memoryMiB: image.memoryMiB },
        sizeBytes: image.sizeBytes,
        sha256: image.sha256 ?? "",
        jobId,
      });
    }
    // the domain's definition goes with it, before the restore takes it (lib/jobs/move-definition.ts)
    const handover = await handOverDefinition(ctx, source, target!, row.domainName);
    const restored = await runRestore(ctx, image, target!);
    if (restored.status === "succeeded") {
      // measured from before the save's command to after the restore's answer: an upper bound
      await x.record(jobId, {
        type: "downtime",
        phase: "activation",
        payload: { ms: Date.now() - stoppedAt, upperBound: true },
      });
      for (const img of new Map([
        [saved.image.id, saved.image],
        [image.id, image],
      ]).values()) {
        await x.catalog.remove(img.id).catch((e: Error) =>
          x.record(jobId, {
            type: "log",
            phase: "activation",
            payload: {
              line: `ferry: could not delete ${img.hostName}:${img.path} (${e.message}); delete it from the Images page`,
            },
          }),
        );
      }
      await x.record(jobId, {
        type: "log",
        phase: "activation",
        payload: { line: "ferry: deleted the move's image file(s) after the restore succeeded" },
      });
    }
    const note = (text: string) => [text, handover.note].filter(Boolean).join(" ");
    return await x.finish(
      jobId,
      restored.status === "failed"
        ? {
            ...restored,
            location: {
              host: null,
              note: note(
                `${row.domainName} is saved in ${image.hostName}:${image.path}; restore it from the Images page${handover.moved ? ` (on ${target!.name}, where it is defined now, the restore takes that definition)` : ""}.`,
              ),
            },
          }
        : { ...restored, location: { ...restored.location, note: note(restored.location.note) } },
    );
  } catch (e) {
    if (e instanceof HostSilent) return await x.finish(jobId, silentOutcome(e, row.kind));
    const err = toAppError(e);
    await x.finish(jobId, {
      status: "failed",
      errorCode: err.code,
      errorMessage: err.message,
      location: { host: null, note: "Ferry could not finish the job; check the hosts and the Images page." },
    });
  } finally {
    if (source) void x.inventory.refreshHost(source.id);
    if (target) void x.inventory.refreshHost(target.id);
  }
}
