import { asking, interruptedBy, type JobContext, type JobKindRunner } from "./context";
import { concludeSave, runSave, saveChecks } from "./image-steps";
import { settleSave } from "../settle";

// Save: a running domain into an image on its host (lib/jobs/kinds/image-steps.ts); the image is catalogued.

async function withImage(ctx: JobContext, out: Awaited<ReturnType<typeof runSave>>) {
  if (out.image) await ctx.db.job.update({ where: { id: ctx.jobId }, data: { imageId: out.image.id } });
  return out;
}

export const saveKind: JobKindRunner<null> = {
  needsTarget: false,
  confirmWarnings: false,
  lookNote: "Ferry could not finish the job; check the hosts and the Images page.",
  async check(ctx, { source }) {
    return { checks: await saveChecks(ctx, source, ctx.row.domainName, ctx.row.imagePath!), prepared: null };
  },
  untouched: (row, { source }) => ({
    host: source.name,
    note: `${row.domainName} stays on ${source.name}, untouched.`,
  }),
  async run(ctx, { source }) {
    const { row } = ctx;
    return withImage(ctx, await runSave(ctx, source, row.domainName, row.memoryMiB, row.imagePath!));
  },
  async recover(ctx, adopted) {
    const { row } = ctx;
    const source = ctx.inventory.get(row.sourceHostId)!;
    const verdict = await settleSave(asking(ctx), source, row.domainName, row.imagePath!);
    const out = await concludeSave(ctx, source, row.domainName, row.memoryMiB, row.imagePath!, verdict, null);
    return interruptedBy(adopted)(await withImage(ctx, out));
  },
};
