import { toAppError } from "../errors";
import { driverOf } from "../toolstacks";
import { isRunning } from "../toolstacks/linux/ps";
import { hostArgv as files } from "../toolstacks/linux/host-commands";
import { asking, concludeRestore, concludeSave, silentOutcome } from "./run-saverestore";
import { scpArgv } from "./move-image";
import { ask, HostSilent, settleRestore, settleSave, sha256Of } from "./settle";
import { jobContext, type FileJobDeps, type JobRow } from "./run-file-job";
import type { MigrationOutcome } from "../toolstacks/events";
import type { JobPhase } from "./types";

// After a restart, a save, restore or move that was running is closed by asking the hosts — never by
// assuming. The job stays "running" while Ferry waits for a command still going on a host; a finished
// image is catalogued; a move is closed where it stands (the domain runs somewhere, or sits in a catalogued image).

export async function recoverFileJob(x: FileJobDeps, row: JobRow): Promise<void> {
  const jobId = row.id;
  const ctx = jobContext(x, jobId);
  const a = asking(ctx);
  const source = x.inventory.get(row.sourceHostId);
  const target = row.targetHostId ? x.inventory.get(row.targetHostId) : undefined;
  const phase = row.phase as JobPhase;
  const restarted = "Ferry restarted during this job; it was closed by asking the hosts.";
  await ctx.emit({
    type: "log",
    phase,
    payload: {
      line: `ferry: restarted during this ${row.kind}; asking the hosts where ${row.domainName} and its image are`,
    },
  });
  try {
    if (!source || (row.kind !== "save" && !target)) {
      return await x.finish(jobId, {
        status: "interrupted",
        errorCode: "ssh_lost_during_job",
        errorMessage: restarted,
        location: {
          host: null,
          note: `A host of this job is no longer registered; check ${row.sourceName}${row.targetName ? ` and ${row.targetName}` : ""} for ${row.domainName}.`,
        },
      });
    }
    // the row may lag the last 20 ms of events (they are written in batches): never trust its status or phase
    // alone — ask about every step that may have begun
    const interrupted = (o: MigrationOutcome): MigrationOutcome =>
      o.status === "succeeded"
        ? o
        : { ...o, status: "interrupted", errorCode: "ssh_lost_during_job", errorMessage: restarted };
    if (row.kind === "save") {
      const out = await concludeSave(
        ctx,
        source,
        row.domainName,
        row.memoryMiB,
        row.imagePath!,
        await settleSave(a, source, row.domainName, row.imagePath!),
        null,
      );
      if (out.image) await x.db.job.update({ where: { id: jobId }, data: { imageId: out.image.id } });
      return await x.finish(jobId, interrupted(out));
    }
    if (row.kind === "restore") {
      const image = await x.catalog.get(row.imageId!);
      return await x.finish(
        jobId,
        interrupted(concludeRestore(image, target!, await settleRestore(a, target!, image), null)),
      );
    }
    // a move: has the restore begun on the target? (the domain is listed there, or a restore of one of its images runs)
    const images = await x.catalog.byJob(jobId);
    const onTarget = await ask(a, target!, phase, (r) => driverOf(target!.toolstack).files.state(r, row.domainName));
    const restoring =
      images.length > 0 &&
      (
        await Promise.all(
          images
            .filter((i) => i.hostId === target!.id || i.path === row.imagePath)
            .map((i) => ask(a, target!, phase, (r) => driverOf(target!.toolstack).files.restoring(r, i.path))),
        )
      ).some(Boolean);
    if ((onTarget !== "absent" && onTarget !== "defined") || restoring) {
      const image = images.find((i) => i.hostId === target!.id && i.path !== row.imagePath) ??
        images.find((i) => i.path === row.imagePath) ?? {
          domainName: row.domainName,
          hostName: row.sourceName,
          path: row.imagePath!,
        };
      const v = await settleRestore(a, target!, image);
      if (v.kind === "running") {
        for (const img of images) await x.catalog.remove(img.id).catch(() => {});
        await ctx.emit({
          type: "log",
          phase,
          payload: { line: "ferry: deleted the move's image file(s): the domain runs on the target" },
        });
      }
      return await x.finish(jobId, interrupted(concludeRestore(image, target!, v, null)));
    }
    const saved = images.find((i) => i.path === row.imagePath);
    if (!saved) {
      // the save had not finished when Ferry stopped: ask about it
      const out = await concludeSave(
        ctx,
        source,
        row.domainName,
        row.memoryMiB,
        row.imagePath!,
        await settleSave(a, source, row.domainName, row.imagePath!),
        null,
      );
      return await x.finish(
        jobId,
        out.status !== "succeeded"
          ? interrupted(out)
          : {
              status: "interrupted",
              errorCode: "ssh_lost_during_job",
              errorMessage: restarted,
              location: {
                host: null,
                note: `${row.domainName} is saved in ${source.name}:${row.imagePath} (in the catalog); the move stopped there: restore it from the Images page.`,
              },
            },
      );
    }
    // saved, perhaps copying: wait for scp to end on the source, keep a whole copy, delete a partial one
    const dest = `${target!.imageDir}/${saved.path.slice(saved.path.lastIndexOf("/") + 1)}`;
    let copied = false;
    if (dest !== saved.path) {
      const scp = scpArgv(saved.path, target!, dest);
      while (await ask(a, source, phase, (r) => isRunning(r, scp)))
        await new Promise((res) => setTimeout(res, a.pollMs));
      const sum = await sha256Of(a, target!, dest, phase);
      copied = sum !== null && sum === saved.sha256;
      if (copied)
        await x.catalog.record({
          host: target!,
          path: dest,
          header: { name: saved.domainName, uuid: null, memoryMiB: saved.memoryMiB },
          sizeBytes: saved.sizeBytes,
          sha256: sum!,
          jobId,
        });
      else if (sum !== null) await ask(a, target!, phase, (r) => r.exec(files.remove(dest), { timeoutMs: 30_000 }));
    }
    return await x.finish(jobId, {
      status: "interrupted",
      errorCode: "ssh_lost_during_job",
      errorMessage: restarted,
      location: {
        host: null,
        note: `${row.domainName} is saved in ${source.name}:${saved.path} (in the catalog${copied ? `, and copied whole to ${target!.name}:${dest}` : ""}); restore it from the Images page.`,
      },
    });
  } catch (e) {
    if (e instanceof HostSilent) return x.finish(jobId, silentOutcome(e, row.kind));
    const err = toAppError(e);
    return x.finish(jobId, {
      status: "interrupted",
      errorCode: "ssh_lost_during_job",
      errorMessage: `${restarted} (${err.message})`,
      location: {
        host: null,
        note: `Check ${row.sourceName}${row.targetName ? ` and ${row.targetName}` : ""} for ${row.domainName}, and the Images page for ${row.imagePath ?? "its image"}.`,
      },
    });
  }
}
