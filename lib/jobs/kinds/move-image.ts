import type { HostView } from "../../inventory/types";
import { targetAddressOf } from "../../checks/migration";
import { imageDirsOf, type ImageView } from "../../images/catalog";
import { hostArgv as argv } from "../../toolstacks/linux/host-commands";
import { parseDirStat } from "../../toolstacks/linux/dir-stat";
import { ask, sha256Of } from "../settle";

import { asking, type RunContext } from "./context";
import { reportCopied, runCopy } from "./copy-progress";

// A move's image: where it is kept, and its copy to the target when the hosts share no storage.

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** Where a move keeps its image: shared storage both hosts see (private), else the source's own directory. */
export async function moveImagePath(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  domain: string,
): Promise<{ path: string; shared: boolean }> {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const dir of imageDirsOf(source).filter((d) => d !== source.imageDir)) {
    const [a, b] = await Promise.all(
      [source, target].map((h) =>
        ctx.inventory
          .connection(h)
          .exec(argv.statDir(dir), { timeoutMs: 10_000 })
          .catch(() => null),
      ),
    );
    if (
      a &&
      b &&
      parseDirStat(dir, a.code, a.stdout, a.stderr).state === "private" &&
      parseDirStat(dir, b.code, b.stdout, b.stderr).state === "private"
    ) {
      return { path: `${dir}/${domain}-move-${stamp}.save`, shared: true };
    }
  }
  return { path: `${source.imageDir}/${domain}-move-${stamp}.save`, shared: false };
}

export const scpArgv = (path: string, target: HostView, dest: string) =>
  argv.scpTo(path, targetAddressOf(target), dest);

/**
 * Copies an image host to host over SSH (scp run on the source) into the target's image directory, and
 * proves the copy whole by its sha256. A lost session is not a failed copy: Ferry waits for scp to end on
 * the source and looks at the result; an incomplete copy is made once more. Returns the target's path.
 */
export async function copyImage(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  image: ImageView,
): Promise<string | null> {
  const dest = `${target.imageDir}/${basename(image.path)}`;
  const a = asking(ctx);
  const phase = "commitment" as const;
  const log = (line: string) => ctx.emit({ type: "log", phase, payload: { line } });
  await ctx.emit({ type: "phase", phase, payload: {} });
  const file = { path: dest, label: "the memory image", bytes: image.sizeBytes };
  for (let attempt = 1; attempt <= 2; attempt++) {
    await log(`ferry: copying ${image.path} to ${target.name}:${dest} over SSH`);
    const scp = scpArgv(image.path, target, dest);
    const r = await runCopy(ctx, source, target, file, scp);
    // a copy Ferry lost sight of was waited out (runCopy): the sha256 says whether it is whole
    if (!(r instanceof Error) && r.code !== 0) {
      await log(r.stderr.trim());
      break;
    }
    const sum = await sha256Of(a, target, dest, phase);
    if (sum !== null && sum === image.sha256) {
      await reportCopied(ctx, target, file);
      await ask(a, target, phase, (x) => x.exec(argv.chmodPrivate(dest), { timeoutMs: 30_000 }));
      return dest;
    }
    await log(`ferry: the copy on ${target.name} is ${sum === null ? "missing" : "incomplete (its sha256 differs)"}`);
  }
  await ask(a, target, phase, (x) => x.exec(argv.remove(dest), { timeoutMs: 30_000 }));
  return null;
}
