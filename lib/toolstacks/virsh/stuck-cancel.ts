import type { CommandRunner, MigrationContext } from "../types";
import * as cmd from "./commands";
import { jobActive, stateOf } from "./leftovers";

// A cancel QEMU 7.2 misses (the lab, `LAB_DISKS=1 SEED=20261205 TRIAL=4 npm run trials:lab` in CI, and by hand with
// `virsh domjobabort` 1.3 s into a --copy-storage-all migration): when libvirt migrates disks it asks QEMU to pause
// before the switchover; a `migrate_cancel` that lands just as the migration thread stops the guest for it sets the
// state to "cancelling" before the thread announces the pause, and the thread then waits for a "continue" nobody
// sends (QEMU's migration/migration.c, migration_maybe_pause(): gdb showed the live_migration thread in
// qemu_sem_wait). The guest stays "paused (migrating)" on the source, libvirt's job never ends, virsh never returns.
// QEMU's own `migrate-continue` with the state "cancelling" wakes that thread (qmp_migrate_continue posts the very
// semaphore it waits on): QEMU finishes the cancel and libvirt resumes the guest — tried on the lab's stuck guest
// (fixtures qmp-*-lab.json). Ferry sends it only when the guest has stayed so for STUCK_MS: a cancel QEMU handles
// ends in milliseconds, and a continue sent to a QEMU that is not waiting is refused or left unread.

/** How long QEMU may stay "cancelling" with the guest paused before Ferry takes it for the missed cancel. */
export const STUCK_MS = 3_000;

/** QEMU's migration status on `runner` (query-migrate through libvirt), or null when it could not be read. */
export async function qemuMigrationStatus(runner: CommandRunner, dom: string): Promise<string | null> {
  const r = await runner.exec(cmd.queryMigrate(dom), { timeoutMs: 5_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  try {
    const reply = JSON.parse(r.stdout) as { return?: { status?: unknown } };
    return typeof reply.return?.status === "string" ? reply.return.status : null;
  } catch {
    return null;
  }
}

type Ends = Pick<MigrationContext, "source" | "sourceName" | "domain">;

/**
 * One locate's watch for the missed cancel: each call looks once (the guest paused (migrating) on the source,
 * libvirt's job still running, QEMU "cancelling"); once that has held for STUCK_MS, sends the continue and waits for
 * libvirt's job to end. Returns the words the verdict adds, or null while there is nothing (yet) to do.
 */
export function stuckCancelWatch(ctx: Ends, stuckMs = STUCK_MS) {
  let since: number | null = null;
  return async (): Promise<string | null> => {
    const [state, job, status] = await Promise.all([
      stateOf(ctx.source, ctx.domain),
      jobActive(ctx.source, ctx.domain),
      qemuMigrationStatus(ctx.source, ctx.domain),
    ]);
    if (!state || !/^paused \((migrating|migration)\)/.test(state) || !job || status !== "cancelling") {
      since = null;
      return null;
    }
    since ??= Date.now();
    if (Date.now() - since < stuckMs) return null;
    const stuck = `QEMU on ${ctx.sourceName} had missed the cancel at the switchover and held the guest paused (QEMU 7.2 waits for a "continue" when a cancel lands as it pauses before the switchover, which libvirt asks for when it migrates disks)`;
    const r = await ctx.source.exec(cmd.continueCancelling(ctx.domain), { timeoutMs: 10_000 }).catch(() => null);
    const refused = r?.code !== 0 || /"error"/.test(r.stdout);
    if (refused)
      return ` ${stuck}; Ferry's migrate-continue was refused (${(r?.stderr || r?.stdout || "no answer").trim()}): the guest stays paused there — restart libvirtd on ${ctx.sourceName}, or run virsh qemu-monitor-command ${ctx.domain} '{"execute":"migrate-continue","arguments":{"state":"cancelling"}}'.`;
    const end = Date.now() + 10_000;
    while (Date.now() < end && (await jobActive(ctx.source, ctx.domain))) await new Promise((x) => setTimeout(x, 250));
    return ` ${stuck}; Ferry sent QEMU that continue (migrate-continue through libvirt's monitor passthrough, which libvirt notes as a "custom-monitor" taint in the guest's log), QEMU finished the cancel and libvirt resumed the guest.`;
  };
}
