import type { CommandRunner, MigrationContext } from "../types";
import * as cmd from "./commands";
import { parseDominfo } from "./parse";

// What a migration that went wrong can leave behind in libvirt, and how Ferry clears it once it is sure: a guest left
// paused on the source with nothing else running it (resumed), a paused incoming copy on the target while the guest
// runs on the source (destroyed), a stale paused copy on the source while the guest runs on the target (destroyed
// and undefined, as libvirt's last step would have), and a stale shut-off definition there (undefined). Used by
// locateVirsh (./migrate.ts).

type Ends = Pick<MigrationContext, "source" | "target" | "sourceName" | "targetName" | "domain">;

export async function stateOf(runner: CommandRunner, dom: string): Promise<string | null> {
  const r = await runner.exec(cmd.domstate(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r && r.code === 0 ? r.stdout.trim() : null;
}

/** Whether libvirt still runs a job (a migration) on the domain. */
export async function jobActive(runner: CommandRunner, dom: string): Promise<boolean> {
  const r = await runner.exec(cmd.domjobinfo(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r?.code === 0 && /^Job type:\s+(Unbounded|Bounded)\b/m.test(r.stdout);
}

/** Paused by a migration that is over: `domstate --reason` says "paused (migrating)" and no job is active. */
export async function leftPaused(runner: CommandRunner, dom: string): Promise<boolean> {
  const state = await stateOf(runner, dom);
  if (!state || !/^paused \((migrating|migration)\)/.test(state)) return false;
  const r = await runner.exec(cmd.domjobinfo(dom), { timeoutMs: 5_000 }).catch(() => null);
  return r?.code === 0 && /^Job type:\s+None\b/m.test(r.stdout);
}

/**
 * The guest runs on the source, and the target still holds the paused incoming copy of a migration that is over (the
 * real lab's libvirt kept one for minutes after a link loss in the reservation): once libvirt on the source has no
 * job left, Ferry destroys that copy — a transient one goes, a definition of the same UUID stays, shut off — and says
 * so. While the source's job runs, nothing is touched (null).
 */
export async function removeIncoming(ctx: Ends): Promise<string | null> {
  if (await jobActive(ctx.source, ctx.domain)) return null;
  const state = await stateOf(ctx.target, ctx.domain);
  if (!state || !/^paused \((migrating|migration|incoming migration)\)/.test(state)) return null;
  const r = await ctx.target.exec(cmd.destroy(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  return r?.code === 0
    ? ` libvirt had left a paused incoming copy on ${ctx.targetName}; Ferry removed it (virsh destroy).`
    : ` libvirt left a paused incoming copy on ${ctx.targetName} that Ferry could not remove (${r?.stderr.trim() || "no answer"}): run virsh destroy ${ctx.domain} there.`;
}

async function dominfo(runner: CommandRunner, dom: string) {
  const r = await runner.exec(cmd.dominfo(dom), { timeoutMs: 5_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  try {
    return parseDominfo(r.stdout);
  } catch {
    return null;
  }
}

/**
 * The guest runs on the target and the source still holds it paused: the migration finished there (QEMU resumes a guest
 * on the target only once all of it has arrived) but libvirt's last step on the source — stop the old copy and, with
 * --undefinesource, undefine it — never came (the lab: the source's link down for 6.6 s mid-migration; virsh lost with
 * Ferry's session). Once the source has no job left and both copies are one domain (the same UUID), Ferry takes that
 * step: virsh destroy on the source, then virsh undefine there where the target keeps a persistent definition. Null
 * (nothing touched) while the source's job runs, or when the two are not provably the same domain.
 */
export async function retireSource(ctx: Ends): Promise<string | null> {
  if (await jobActive(ctx.source, ctx.domain)) return null;
  const state = await stateOf(ctx.source, ctx.domain);
  if (!state || !/^paused \((migrating|migration)\)/.test(state)) return null;
  const [was, now] = await Promise.all([dominfo(ctx.source, ctx.domain), dominfo(ctx.target, ctx.domain)]);
  if (!was || !now || was.uuid !== now.uuid) return null;
  const stale = `libvirt had left the guest paused on ${ctx.sourceName} after it arrived on ${ctx.targetName} (the migration's last step on the source never came)`;
  const destroyed = await ctx.source.exec(cmd.destroy(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  if (destroyed?.code !== 0)
    return ` ${stale}; Ferry could not stop that copy (${destroyed?.stderr.trim() || "no answer"}): run virsh destroy ${ctx.domain} on ${ctx.sourceName}.`;
  if (!was.persistent || !now.persistent) return ` ${stale}; Ferry stopped that stale copy (virsh destroy).`;
  const undefined_ = await ctx.source.exec(cmd.undefine(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  return undefined_?.code === 0
    ? ` ${stale}; Ferry stopped that stale copy (virsh destroy) and removed its definition there (virsh undefine), as --undefinesource would have.`
    : ` ${stale}; Ferry stopped that stale copy (virsh destroy), but its definition stays on ${ctx.sourceName} (${undefined_?.stderr.trim() || "no answer"}): run virsh undefine ${ctx.domain} there.`;
}

/**
 * The guest runs on the target and the source still holds its definition, shut off: the migration finished (QEMU on
 * the source shut down, "reason=migrated") but --undefinesource, libvirt's last step on the source, never came (the
 * lab: libvirtd on the source killed in that moment — `LAB_DISKS=1 SEED=20261205 TRIAL=0 npm run trials:lab` with the
 * guest starting on hostC). Once both are one domain (the same UUID) and the target keeps a persistent definition,
 * Ferry takes that step: virsh undefine on the source (a definition only; no disk is touched). Null when the source
 * has no definition, or one that is not provably the same domain.
 */
export async function retireDefinition(ctx: Ends): Promise<string | null> {
  const state = await stateOf(ctx.source, ctx.domain);
  if (!state?.startsWith("shut off")) return null;
  const [was, now] = await Promise.all([dominfo(ctx.source, ctx.domain), dominfo(ctx.target, ctx.domain)]);
  if (!was || !now || was.uuid !== now.uuid || !now.persistent) return null;
  const stale = `libvirt had left its definition on ${ctx.sourceName} (shut off) after it arrived on ${ctx.targetName} (the migration's last step on the source never came)`;
  const r = await ctx.source.exec(cmd.undefine(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  return r?.code === 0
    ? ` ${stale}; Ferry removed it (virsh undefine), as --undefinesource would have.`
    : ` ${stale} and Ferry could not remove it (${r?.stderr.trim() || "no answer"}): run virsh undefine ${ctx.domain} on ${ctx.sourceName}, or it could be started on both.`;
}

/** What `virsh domstate --reason` says of a running guest that no migration has stopped since it last started. */
const UNSTOPPED = /^running \((booted|migrated|restored|from snapshot|wakeup)\)$/;

/**
 * Both hosts run the guest after a migration that failed before its switchover: the source never stopped for it (its
 * `domstate --reason` still says how it last started — "booted", or "migrated" by an earlier move — where a stop for
 * the switchover would have left "paused (migrating)" or, resumed, "running (migration canceled)"), so the copy on the
 * target cannot hold the guest's state. libvirt 9.0 on the target, killed and started again in the middle of the disk
 * copy, left that unfinished incoming domain running (CI's lab campaign, `LAB_DISKS=1 SEED=20261205 TRIAL=0`, once
 * in six runs). Once the source has no job and both are one domain (the same UUID), Ferry destroys the target's copy,
 * and undefines it there when libvirt had defined it and the source keeps its own definition. Null, nothing touched,
 * in any other case: the operator is told to stop one copy.
 */
export async function stopUnfinishedIncoming(ctx: Ends): Promise<string | null> {
  if (await jobActive(ctx.source, ctx.domain)) return null;
  const [sourceState, targetState] = await Promise.all([
    stateOf(ctx.source, ctx.domain),
    stateOf(ctx.target, ctx.domain),
  ]);
  if (!sourceState || !UNSTOPPED.test(sourceState) || !targetState?.startsWith("running")) return null;
  const [here, there] = await Promise.all([dominfo(ctx.source, ctx.domain), dominfo(ctx.target, ctx.domain)]);
  if (!here || !there || here.uuid !== there.uuid) return null;
  const what = `libvirt on ${ctx.targetName} had left the migration's unfinished incoming copy running (${targetState}) while the guest ran on ${ctx.sourceName}, which never stopped for the switchover (${sourceState})`;
  const destroyed = await ctx.target.exec(cmd.destroy(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  if (destroyed?.code !== 0)
    return ` ${what}; Ferry could not stop it (${destroyed?.stderr.trim() || "no answer"}): run virsh destroy ${ctx.domain} on ${ctx.targetName}.`;
  if (!there.persistent || !here.persistent) return ` ${what}; Ferry stopped it (virsh destroy).`;
  const undefined_ = await ctx.target.exec(cmd.undefine(ctx.domain), { timeoutMs: 15_000 }).catch(() => null);
  return undefined_?.code === 0
    ? ` ${what}; Ferry stopped it (virsh destroy) and removed the definition libvirt had made there (virsh undefine).`
    : ` ${what}; Ferry stopped it (virsh destroy), but its definition stays on ${ctx.targetName} (${undefined_?.stderr.trim() || "no answer"}): run virsh undefine ${ctx.domain} there.`;
}
