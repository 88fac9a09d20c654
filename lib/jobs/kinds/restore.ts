import { asking, interruptedBy, type JobKindRunner } from "./context";
import { concludeRestore, runRestore } from "./image-steps";
import { restoreChecks } from "./restore-checks";
import { settleRestore } from "../settle";
import type { ImageView } from "../../images/catalog";

// Restore: a catalogued image on a host (lib/jobs/kinds/image-steps.ts), after the restore checks (restore-checks.ts).

export const restoreKind: JobKindRunner<ImageView> = {
  needsTarget: true,
  confirmWarnings: false,
  lookNote: "Ferry could not finish the job; check the hosts and the Images page.",
  async check(ctx, { target }) {
    const image = await ctx.catalog.get(ctx.row.imageId!);
    const acknowledgeStale = JSON.parse(ctx.row.optionsJson ?? "{}").acknowledgeStale === true;
    return { checks: await restoreChecks(ctx, image, target!, acknowledgeStale), prepared: image };
  },
  untouched: (row) => ({ host: null, note: `${row.domainName} stays in ${row.sourceName}:${row.imagePath}.` }),
  run: (ctx, { target }, image) => runRestore(ctx, image, target!),
  async recover(ctx, adopted) {
    const target = ctx.inventory.get(ctx.row.targetHostId!)!;
    const image = await ctx.catalog.get(ctx.row.imageId!);
    return interruptedBy(adopted)(
      concludeRestore(image, target, await settleRestore(asking(ctx), target, image), null),
    );
  },
};
