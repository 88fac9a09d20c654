import { driverOf } from "../../toolstacks";
import { isRunning } from "../../toolstacks/linux/ps";
import { hostArgv as files } from "../../toolstacks/linux/host-commands";
import { ask, settleRestore, settleSave, sha256Of } from "../settle";
import { asking, closedAfterRestart, interruptedBy, type JobContext, type JobOutcome } from "./context";
import { concludeRestore, concludeSave } from "./image-steps";
import { removeBegunCopies } from "./move-disks";
import { scpArgv } from "./move-image";
import { eventsAfter } from "../store";
import type { JobPhase } from "../types";

// A move after a restart, closed where it stands by asking the hosts — never by assuming: the domain runs on the
// target (the move's images are deleted), or sits in a catalogued image (a whole copy on the target is kept, a
// partial one deleted). The row may lag the last events (they are written in batches): every step that may have
// begun is asked about.

export async function recoverMove(ctx: JobContext, adopted: boolean): Promise<JobOutcome> {
  const { row, jobId } = ctx;
  const a = asking(ctx);
  const source = ctx.inventory.get(row.sourceHostId)!;
  const target = ctx.inventory.get(row.targetHostId!)!;
  const phase = row.phase as JobPhase;
  const interrupted = interruptedBy(adopted);
  const stopped = (note: string): JobOutcome => ({
    status: "interrupted",
    errorCode: "ssh_lost_during_job",
    errorMessage: closedAfterRestart(adopted),
    location: { host: null, note },
  });
  // has the restore begun on the target? (the domain is listed there, or a restore of one of its images runs)
  const images = await ctx.catalog.byJob(jobId);
  const onTarget = await ask(a, target, phase, (r) => driverOf(target.toolstack).files.state(r, row.domainName));
  const restoring =
    images.length > 0 &&
    (
      await Promise.all(
        images
          .filter((i) => i.hostId === target.id || i.path === row.imagePath)
          .map((i) => ask(a, target, phase, (r) => driverOf(target.toolstack).files.restoring(r, i.path))),
      )
    ).some(Boolean);
  if ((onTarget !== "absent" && onTarget !== "defined") || restoring) {
    const image = images.find((i) => i.hostId === target.id && i.path !== row.imagePath) ??
      images.find((i) => i.path === row.imagePath) ?? {
        domainName: row.domainName,
        hostName: row.sourceName,
        path: row.imagePath!,
      };
    const v = await settleRestore(a, target, image);
    if (v.kind === "running") {
      for (const img of images) await ctx.catalog.remove(img.id).catch(() => {});
      await ctx.emit({
        type: "log",
        phase,
        payload: { line: "ferry: deleted the move's image file(s): the domain runs on the target" },
      });
    }
    return interrupted(concludeRestore(image, target, v, null));
  }
  const saved = images.find((i) => i.path === row.imagePath);
  if (!saved) {
    // the save had not finished when Ferry stopped: ask about it
    const verdict = await settleSave(a, source, row.domainName, row.imagePath!);
    const out = await concludeSave(ctx, source, row.domainName, row.memoryMiB, row.imagePath!, verdict, null);
    return out.status !== "succeeded"
      ? interrupted(out)
      : stopped(
          `${row.domainName} is saved in ${source.name}:${row.imagePath} (in the catalog); the move stopped there: restore it from the Images page.`,
        );
  }
  // saved, perhaps copying: wait for scp to end on the source, keep a whole copy, delete a partial one
  const dest = `${target.imageDir}/${saved.path.slice(saved.path.lastIndexOf("/") + 1)}`;
  let copied = false;
  if (dest !== saved.path) {
    const scp = scpArgv(saved.path, target, dest);
    while (await ask(a, source, phase, (r) => isRunning(r, scp))) await new Promise((res) => setTimeout(res, a.pollMs));
    const sum = await sha256Of(a, target, dest, phase);
    copied = sum !== null && sum === saved.sha256;
    if (copied)
      await ctx.catalog.record({
        host: target,
        path: dest,
        header: { name: saved.domainName, uuid: null, memoryMiB: saved.memoryMiB },
        sizeBytes: saved.sizeBytes,
        sha256: sum!,
        jobId,
      });
    else if (sum !== null) await ask(a, target, phase, (r) => r.exec(files.remove(dest), { timeoutMs: 30_000 }));
  }
  // the disks it had begun to copy (each stored before its copy began): a partial copy on the target is removed
  const begun = (await eventsAfter(ctx.db, jobId, 0)).flatMap((e) =>
    e.type === "disk-file-copy" && e.payload.host === target.name ? [e.payload.path] : [],
  );
  const disks = await removeBegunCopies(ctx, source, target, begun);
  return stopped(
    `${row.domainName} is saved in ${source.name}:${saved.path} (in the catalog${copied ? `, and copied whole to ${target.name}:${dest}` : ""}); restore it from the Images page.${disks}`,
  );
}
