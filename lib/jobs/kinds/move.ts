import type { HostView } from "../../inventory/types";
import type { Check } from "../../checks/migration";
import type { DiskPlan } from "../../checks/storage";
import { copyDisks, keptNote, moveDisksCheck, type DiskMove } from "./move-disks";
import type { JobContext, JobKindRunner, JobOutcome, RunContext } from "./context";
import { runRestore, runSave, saveChecks } from "./image-steps";
import { copyImage, moveImagePath } from "./move-image";
import { handOverDefinition } from "./move-definition";
import { recoverMove } from "./move-recovery";

// Move by save → (copy) → restore, for when live migration is not possible: the domain stops when the save begins
// and runs again when the restore ends (that is the move's downtime). The image is copied when the target cannot see
// it, the domain's definition goes with it (move-definition.ts), and the move's images are deleted after the restore.

/** the image's path (on storage both hosts see, or not) and the disks copied while the domain is stopped */
type MovePath = { path: string; shared: boolean; disks: DiskMove[] };

/**
 * A move's checks: the host-level ones of a live migration, its disks (shared, or copied while the domain is stopped:
 * move-disks.ts), then the save's (directory, space, no overwrite).
 */
export async function moveChecks(
  ctx: RunContext,
  migrationChecks: (
    domain: string,
    sourceId: string,
    targetId: string,
  ) => Promise<{ checks: Check[]; disks: DiskPlan[] }>,
  source: HostView,
  target: HostView,
  domain: string,
): Promise<{ checks: Check[]; movePath: MovePath }> {
  const movePath = await moveImagePath(ctx, source, target, domain);
  const live = await migrationChecks(domain, source.id, target.id);
  const hostLevel = ["target-differs", "maintenance", "domain-running", "target-online", "toolstack", "arch", "memory"];
  const save = await saveChecks(ctx, source, domain, movePath.path);
  const storage = live.checks.find((c) => c.id === "storage");
  const disks = await moveDisksCheck(ctx, live.disks, storage, source, target);
  return {
    checks: [
      ...live.checks.filter((c) => hostLevel.includes(c.id)),
      ...(disks.check ? [disks.check] : []),
      ...save.filter((c) => c.id !== "domain-running"),
    ],
    movePath: { ...movePath, disks: disks.copies },
  };
}

export const moveKind: JobKindRunner<MovePath> = {
  needsTarget: true,
  confirmWarnings: false,
  lookNote: "Ferry could not finish the job; check the hosts and the Images page.",
  async check(ctx, { source, target }) {
    const migrationChecks = (d: string, s: string, t: string) => ctx.preflight.migration(d, s, t);
    const { checks, movePath } = await moveChecks(ctx, migrationChecks, source, target!, ctx.row.domainName);
    await ctx.db.job.update({ where: { id: ctx.jobId }, data: { imagePath: movePath.path } });
    return { checks, prepared: movePath };
  },
  untouched: (row, { source }) => ({
    host: source.name,
    note: `${row.domainName} stays on ${source.name}, untouched.`,
  }),
  run: (ctx, { source, target }, movePath) => runMove(ctx, source, target!, movePath),
  recover: recoverMove,
};

async function runMove(ctx: JobContext, source: HostView, target: HostView, movePath: MovePath): Promise<JobOutcome> {
  const { row, jobId } = ctx;
  const stoppedAt = Date.now();
  const saved = await runSave(ctx, source, row.domainName, row.memoryMiB, movePath.path);
  if (saved.status !== "succeeded" || !saved.image) return saved;
  let image = saved.image;
  if (!movePath.shared) {
    const dest = await copyImage(ctx, source, target, image);
    if (!dest)
      return {
        status: "failed",
        errorCode: "migrate_link_lost",
        errorMessage: `Could not copy the image to ${target.name}.`,
        location: {
          host: null,
          note: `${row.domainName} is saved in ${source.name}:${movePath.path}; restore it from the Images page.`,
        },
      };
    image = await ctx.catalog.record({
      host: target,
      path: dest,
      header: { name: image.domainName, uuid: null, memoryMiB: image.memoryMiB },
      sizeBytes: image.sizeBytes,
      sha256: image.sha256 ?? "",
      jobId,
    });
  }
  // the disks the target does not see, while the domain is stopped (lib/jobs/kinds/move-disks.ts)
  const disksFailed = movePath.disks.length ? await copyDisks(ctx, source, target, movePath.disks) : null;
  if (disksFailed)
    return {
      status: "failed",
      errorCode: "migrate_link_lost",
      errorMessage: disksFailed,
      location: {
        host: null,
        note: `${row.domainName} is saved in ${image.hostName}:${image.path}, its disks untouched on ${source.name}; restore it on ${source.name} from the Images page.`,
      },
    };
  // the domain's definition goes with it, before the restore takes it (lib/jobs/kinds/move-definition.ts)
  const handover = await handOverDefinition(ctx, source, target, row.domainName);
  const restored = await runRestore(ctx, image, target);
  if (restored.status === "succeeded") {
    // measured from before the save's command to after the restore's answer: an upper bound
    await ctx.emit({
      type: "downtime",
      phase: "activation",
      payload: { ms: Date.now() - stoppedAt, upperBound: true },
    });
    for (const img of new Map([
      [saved.image.id, saved.image],
      [image.id, image],
    ]).values()) {
      await ctx.catalog.remove(img.id).catch((e: Error) =>
        ctx.emit({
          type: "log",
          phase: "activation",
          payload: {
            line: `ferry: could not delete ${img.hostName}:${img.path} (${e.message}); delete it from the Images page`,
          },
        }),
      );
    }
    await ctx.emit({
      type: "log",
      phase: "activation",
      payload: { line: "ferry: deleted the move's image file(s) after the restore succeeded" },
    });
  }
  const note = (text: string) =>
    [text + (restored.status === "succeeded" ? keptNote(source, movePath.disks) : ""), handover.note]
      .filter(Boolean)
      .join(" ");
  if (restored.status !== "failed")
    return { ...restored, location: { ...restored.location, note: note(restored.location.note) } };
  const definedThere = handover.moved
    ? ` (on ${target.name}, where it is defined now, the restore takes that definition)`
    : "";
  return {
    ...restored,
    location: {
      host: null,
      note: note(
        `${row.domainName} is saved in ${image.hostName}:${image.path}; restore it from the Images page${definedThere}.`,
      ),
    },
  };
}
