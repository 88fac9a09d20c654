import { asking, interruptedBy, type JobContext, type JobKindRunner } from "./context";
import { concludeRestore, runRestore } from "./image-steps";
import { restoreChecks } from "./restore-checks";
import { handOverDefinition } from "./move-definition";
import { settleRestore } from "../settle";
import type { ImageView } from "../../images/catalog";
import type { HostView } from "../../inventory/types";

// Restore: a catalogued image on a host (lib/jobs/kinds/image-steps.ts), after the restore checks (restore-checks.ts).
// On another host than the one that saved it, the domain's definition goes with it first (move-definition.ts), as a
// move's does: the saving host kept it (shut off, saved), and a restore elsewhere would otherwise leave it there.

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
  async run(ctx, { target }, image) {
    const handover = await definitionFromSavingHost(ctx, image, target!);
    const out = await runRestore(ctx, image, target!);
    return handover ? { ...out, location: { ...out.location, note: `${out.location.note} ${handover}` } } : out;
  },
  async recover(ctx, adopted) {
    const target = ctx.inventory.get(ctx.row.targetHostId!)!;
    const image = await ctx.catalog.get(ctx.row.imageId!);
    return interruptedBy(adopted)(
      concludeRestore(image, target, await settleRestore(asking(ctx), target, image), null),
    );
  },
};

/** The hand-over's words, when the image was saved on another host of the same toolstack; else null. */
async function definitionFromSavingHost(ctx: JobContext, image: ImageView, target: HostView): Promise<string | null> {
  const home = image.hostId !== target.id ? ctx.inventory.get(image.hostId) : undefined;
  if (!home || home.toolstack !== target.toolstack) return null;
  const handover = await handOverDefinition(ctx, home, target, image.domainName);
  return handover.note || null;
}
