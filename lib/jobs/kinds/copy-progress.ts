import type { HostView } from "../../inventory/types";
import type { ExecResult } from "../../ssh/types";
import { hostArgv as argv, parseStatSizes } from "../../toolstacks/linux/host-commands";
import { isRunning } from "../../toolstacks/linux/ps";
import { jobLane } from "../lane";
import { ask } from "../settle";
import { asking, type RunContext } from "./context";

// A file copied host to host (a move's image by scp, a disk by tar through ssh) shows how far it is: while the copy
// runs, the target is asked how many bytes the file takes there so far (`stat -c '%s %b %B'`; GNU tar and scp write
// the data in order, and a sparse disk's holes take nothing on either side, so the figure grows to the bytes the
// file takes on the source). Each answer that changed is a "file-progress" event. The progress is for people: a
// question that fails is skipped, never a reason to stop the copy, and the copy is proved whole by its sha256 after.

export interface CopiedFile {
  /** the file's path on the target */
  path: string;
  /** what people call it: "xvda", "the image" */
  label: string;
  /** what the file takes on the source: the bytes the copy sends */
  bytes: number;
}

/**
 * Runs a copy command on the source (scp, or tar through ssh), following the file's progress on the target. A lost
 * session is not a failed copy: Ferry says so and waits while the copy still runs on the source. The command's
 * result, or the error that lost sight of it (then only the sha256 on both ends can say whether the copy is whole).
 */
export function runCopy(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  file: CopiedFile,
  command: string[],
): Promise<ExecResult | Error> {
  const a = asking(ctx);
  const phase = "commitment" as const;
  const copy = jobLane(ctx.inventory.connection(source))
    .exec(command, { timeoutMs: 6 * 3600_000 })
    .catch(async (e: Error) => {
      await ctx.emit({ type: "log", phase, payload: { line: `ferry: lost sight of the copy: ${e.message}` } });
      while (await ask(a, source, phase, (x) => isRunning(x, command)))
        await new Promise((res) => setTimeout(res, a.pollMs));
      return e;
    });
  return withCopyProgress(ctx, target, file, copy);
}

/** Runs `copy`, emitting the file's progress on `target` until it ends; then its result. */
async function withCopyProgress<T>(ctx: RunContext, target: HostView, file: CopiedFile, copy: Promise<T>): Promise<T> {
  const report = (copiedBytes: number) =>
    ctx.emit({
      type: "file-progress",
      phase: "commitment",
      payload: { host: target.name, path: file.path, label: file.label, copiedBytes, bytes: file.bytes },
    });
  let ended = false;
  const watching = (async () => {
    let last = -1;
    await report(0);
    for (;;) {
      await Promise.race([copy.catch(() => null), new Promise((r) => setTimeout(r, ctx.pollMs))]); // the engine's settlePollMs
      if (ended) return;
      const r = await ctx.inventory
        .connection(target)
        .exec(argv.statSizes(file.path), { timeoutMs: 10_000 })
        .catch(() => null);
      const sizes = r?.code === 0 ? parseStatSizes(r.stdout) : null;
      const copied = sizes ? Math.min(file.bytes, sizes.allocatedBytes) : null;
      if (ended) return;
      if (copied !== null && copied !== last) {
        last = copied;
        await report(copied);
      }
    }
  })();
  try {
    return await copy;
  } finally {
    ended = true;
    await watching;
  }
}

/** After the copy was proved whole: the file is all there. */
export const reportCopied = (ctx: RunContext, target: HostView, file: CopiedFile) =>
  ctx.emit({
    type: "file-progress",
    phase: "commitment",
    payload: { host: target.name, path: file.path, label: file.label, copiedBytes: file.bytes, bytes: file.bytes },
  });
