import type { HostView } from "../../inventory/types";
import { targetAddressOf } from "../../checks/migration";
import { driverOf } from "../../toolstacks";
import { jobLane } from "../lane";
import type { RunContext } from "./context";

// A move by save/restore ends as a live migration with --persistent --undefinesource does: the domain defined where
// it runs, not where it ran. A save keeps a persistent domain's definition on the source (libvirt; xend's managed
// domains), and a restore elsewhere makes a transient copy — left alone, the old host could start a second copy on
// the same disks (autostart, a reboot, anyone's `virsh start`). The hand-over runs after the save, before the
// restore, so the restore takes the moved definition (by UUID, as libvirt does); both hosts are asked afterwards.

/** What the hand-over did, and what the job's note says of the definition. */
export type Handover = { moved: boolean; note: string };

export async function handOverDefinition(
  ctx: RunContext,
  source: HostView,
  target: HostView,
  domain: string,
): Promise<Handover> {
  const ops = driverOf(source.toolstack).files;
  const src = jobLane(ctx.inventory.connection(source));
  const dst = jobLane(ctx.inventory.connection(target));
  const log = (line: string) => ctx.emit({ type: "log", phase: "commitment", payload: { line } });
  const stateOn = (runner: typeof src) => ops.state(runner, domain).catch(() => null);
  const before = await stateOn(src);
  if (before === null)
    return {
      moved: false,
      note: `Ferry could not ask ${source.name} whether ${domain} is still defined there: look (virsh list --all) before anyone starts it there.`,
    };
  if (before !== "defined") return { moved: false, note: ops.definitionHint?.(domain, source.name) ?? "" };
  const kept = `${domain} is still defined (shut off) on ${source.name}: undefine it there and define it on ${target.name}, or it could be started on both.`;
  if (!ops.moveDefinition) return { moved: false, note: kept };
  const argv = ops.moveDefinition(domain, targetAddressOf(target));
  await log(`$ ${argv.join(" ")}`);
  const r = await src.exec(argv, { timeoutMs: 60_000 }).catch((e: Error) => ({ code: null, stderr: e.message }));
  if (r.code !== 0)
    await log(`ferry: the definition did not move: ${r.stderr.trim().split("\n").at(-1) || "no answer"}`);
  // asked of both hosts, whatever the command said: a lost session may have moved it all the same
  const [after, there] = [await stateOn(src), await stateOn(dst)];
  if (after === "absent" && there === "defined") {
    await log(`ferry: ${domain} is defined on ${target.name} (persistent) and no longer on ${source.name}`);
    return { moved: true, note: `It is defined (persistent) on ${target.name} and no longer on ${source.name}.` };
  }
  return {
    moved: false,
    note:
      after === "defined"
        ? kept
        : `Check where ${domain} is defined (virsh list --all on ${source.name} and ${target.name}).`,
  };
}
