import { AppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import { driverOf } from "../toolstacks";
import type { TuneJobInput } from "./schema";
import { guestEmulated } from "./preflight";
import type { JobRow } from "./kinds/context";
import { phaseIndex, type JobPhase } from "./types";

// Tuning a running live migration (libvirt's): a higher maximum downtime, more bandwidth, or the switch to post-copy.
// Refused with a sentence where the toolstack has no such control, where the migration is finishing, and for a
// post-copy switch of a migration not started with post-copy allowed (libvirt refuses it).

/** Runs the tune on the job's source host; returns the command run. */
export async function tuneMigration(
  inventory: Inventory,
  row: JobRow,
  phase: JobPhase,
  change: TuneJobInput,
): Promise<string[]> {
  const source = inventory.get(row.sourceHostId);
  const driver = source ? driverOf(source.toolstack) : null;
  if (row.kind !== "migrate" || !source || !driver?.tune || !driver.capabilities.tuneWhileRunning) {
    throw new AppError(
      "invalid_input",
      `Only a live migration on a toolstack that allows it can be tuned while it runs; ${driver?.label ?? "this host's toolstack"} offers no such controls.`,
    );
  }
  if (phaseIndex(phase) >= phaseIndex("commitment"))
    throw new AppError("conflict", "The migration is already finishing.");
  const options = JSON.parse(row.optionsJson ?? "{}").migration ?? {};
  if ("postcopy" in change && !options.postcopy)
    throw new AppError(
      "invalid_input",
      "This migration was started without post-copy; libvirt can only switch a migration started with it. Abort and start again with post-copy allowed.",
    );
  const emulated = await guestEmulated(inventory, source, row.domainName);
  const refused = "bandwidthMiBps" in change && driver.refusedOption?.(source.name, emulated, change);
  if (refused) throw new AppError("invalid_input", refused);
  // a lower maximum downtime than the source must keep (QEMU without KVM: the reason Ferry raised it at launch)
  const safer = "maxDowntimeMs" in change && driver.saferOptions?.(source.name, emulated, change);
  if (safer)
    throw new AppError(
      "invalid_input",
      `${source.name} runs this guest by software emulation (QEMU without KVM): the maximum downtime stays at ${safer.options.maxDowntimeMs} ms or more, so that QEMU stops the guest after few rounds.`,
    );
  const argv = driver.tune(row.domainName, change);
  const r = await inventory.connection(source).exec(argv, { timeoutMs: 15_000, lane: "job" });
  if (r.code !== 0) throw driver.error(argv, r);
  return argv;
}
