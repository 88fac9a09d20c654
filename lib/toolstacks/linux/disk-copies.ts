import { formatBytes } from "../../format-bytes";
import type { DomainLocation, MigrationOutcome } from "../events";
import { diskArgv } from "./disk-file";
import { hostArgv } from "./host-commands";
import type { DiskCopy, MigrationContext } from "../types";

// A live migration with its disks (libvirt's --copy-storage-all, QEMU's NBD mirror): libvirt copies a disk only into a
// file that is there on the target, or one it can create in a storage pool at the disk's directory — otherwise it
// refuses ("Storage pool not found: no storage pool with matching target path", the lab's libvirt 9.0). Ferry
// creates each copy first (same path, format and size; qemu-img create, never over a file that is there) and, when the
// guest stays on the source, removes what it created (libvirt leaves it: the lab's abort did). The source keeps the
// files the guest ran from; the job says where. Each copy is announced in a stored "disk-copy" event before it is
// made, so that a job closed after a restart (lib/jobs/kinds/migrate.ts, recover) removes the same files. Plain files
// and qemu-img on a Linux host: used by virsh's migrate (lib/toolstacks/virsh/migrate.ts) and by that recovery.

type Ctx = Pick<MigrationContext, "target" | "sourceName" | "targetName" | "emit" | "phase">;

const log = (ctx: Ctx, line: string) => ctx.emit({ type: "log", phase: ctx.phase(), payload: { line } });

/** Creates each disk's empty copy on the target; on a refusal, removes those it created and says why. */
export async function createCopies(
  ctx: Ctx,
  disks: DiskCopy[],
): Promise<{ created: DiskCopy[]; error: string | null }> {
  const created: DiskCopy[] = [];
  for (const d of disks) {
    const argv = diskArgv.createAbsent(d.path, d.format, d.virtualBytes, d.backing);
    // stored before the file exists: after a restart, the recovery knows what this job may have created
    await ctx.emit({ type: "disk-copy", phase: ctx.phase(), payload: { host: ctx.targetName, ...d } });
    log(
      ctx,
      `ferry: on ${ctx.targetName}: qemu-img create -f ${d.format}${d.backing ? ` -b ${d.backing.path} -F ${d.backing.format}` : ""} ${d.path} ${d.virtualBytes} (the copy of ${d.vdev})`,
    );
    const r = await ctx.target.exec(argv, { timeoutMs: 60_000 }).catch((e: Error) => ({ code: -1, stderr: e.message }));
    if (r.code !== 0) {
      await removeCopies(ctx, created);
      const why = r.stderr
        .trim()
        .split("\n")[0]
        ?.replace(/^qemu-img: /, "");
      return {
        created: [],
        error: why
          ? `Ferry could not create the copy of ${d.vdev} on ${ctx.targetName}: ${why}.`
          : `${ctx.targetName} has a file at ${d.path} by now: Ferry does not write over it.`,
      };
    }
    created.push(d);
  }
  return { created, error: null };
}

async function removeCopies(ctx: Ctx, created: DiskCopy[]): Promise<string[]> {
  const left: string[] = [];
  for (const d of created) {
    const r = await ctx.target.exec(hostArgv.remove(d.path), { timeoutMs: 30_000 }).catch(() => null);
    if (r?.code !== 0) left.push(d.path);
  }
  return left;
}

/**
 * The outcome with the disks' fate said: the guest runs on the target — the source keeps the files it ran from; it
 * stays on the source — the copies Ferry created on the target are removed; nobody knows — nothing is removed.
 */
export async function withDisks(ctx: Ctx, created: DiskCopy[], outcome: MigrationOutcome): Promise<MigrationOutcome> {
  if (!created.length) return outcome;
  const paths = created.map((d) => `${d.path} (${d.vdev}, ${formatBytes(d.allocatedBytes)})`).join(", ");
  let note: string;
  if (outcome.location.host === ctx.targetName)
    note = ` Its disks were copied to ${ctx.targetName}; ${ctx.sourceName} keeps the files it ran from, no longer used: ${paths}. Remove them there once you are satisfied.`;
  else if (outcome.location.host === ctx.sourceName) {
    const left = await removeCopies(ctx, created);
    note = left.length
      ? ` Ferry could not remove the copies it had created on ${ctx.targetName}: ${left.join(", ")}.`
      : ` The disk copies Ferry had created on ${ctx.targetName} were removed; the guest's disks on ${ctx.sourceName} are untouched.`;
    if (!left.length)
      log(ctx, `ferry: removed the disk copies on ${ctx.targetName}: ${created.map((d) => d.path).join(", ")}`);
  } else
    note = ` Nothing was removed: ${ctx.targetName} may hold copies of its disks (${created.map((d) => d.path).join(", ")}), ${ctx.sourceName} the originals.`;
  const location: DomainLocation = { ...outcome.location, note: `${outcome.location.note}${note}` };
  return { ...outcome, location };
}
