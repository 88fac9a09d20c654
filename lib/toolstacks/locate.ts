import type { DomainLocation, MigrationOutcome } from "./events";
import { toAppError } from "../errors";
import type { CommandRunner, LocateContext } from "./types";

/** What one host's domain list says of the domain: absent (null), or its id, whether it settled, and how it shows. */
export type Sighting = { id: number | null; settled: boolean; shown: string } | null;

/**
 * How long to wait, once a migration command has ended, for the domain to settle in one place: after a lost session
 * (the command's own answer is gone) as long as a silent host is waited for — the engine's reconnectMs, which the
 * fault campaigns shorten — else 10 s. One rule for every toolstack (each driver hard-coded 2 min before).
 */
export const settlePatienceMs = (ctx: Pick<LocateContext, "silentHostMs">, lost: boolean): number =>
  lost ? (ctx.silentHostMs ?? 120_000) : 10_000;

/** What a toolstack adds to locating (virsh has all three; xl and xm none). */
export interface LocateHooks {
  /**
   * The domain is not settled in a way the toolstack can repair (libvirt: a guest a failed migration left paused on
   * the source); repairs it once and returns the words the verdict adds, or null when there is nothing to repair.
   */
  repair?(source: Sighting, target: Sighting): Promise<string | null>;
  /** The domain looks settled on the source, but the toolstack still works on moving it (libvirt's job): wait. */
  stillMoving?(): Promise<boolean>;
  /** Words for a domain that runs on the source while the toolstack still works on moving it when patience ends. */
  stillHeld?(): Promise<string>;
  /** On neither host: words saying where it is still defined and how it stopped. */
  neither?(): Promise<string>;
}

/**
 * Where the domain runs now, for any toolstack: asks both hosts (`look` reads one host's list; undefined when the host
 * could not be asked) until the domain is settled in exactly one place or `patienceMs` passes. Never guesses: an
 * unknown answer says which host to check.
 */
export async function locateOnBoth(
  ctx: LocateContext,
  patienceMs: number,
  look: (runner: CommandRunner) => Promise<Sighting | undefined>,
  hooks: LocateHooks = {},
): Promise<DomainLocation> {
  const deadline = Date.now() + patienceMs;
  // a host that cannot be asked is asked again, longer: its daemon may be restarting
  const silentDeadline = Date.now() + Math.max(patienceMs, ctx.silentHostMs ?? 120_000);
  const id = (x: Sighting) => (x?.id != null ? ` (id ${x.id})` : "");
  let repaired: string | null = null;
  /** the last look found the toolstack still moving a domain that runs on the source */
  let moving = false;
  for (;;) {
    const [s, d] = await Promise.all([look(ctx.source), look(ctx.target)]);
    if (s !== undefined && d !== undefined) {
      if (repaired === null && hooks.repair) {
        repaired = await hooks.repair(s, d);
        if (repaired !== null) continue;
      }
      if (d?.settled && !s)
        return { host: ctx.targetName, note: `${ctx.domain} runs on ${ctx.targetName}${id(d)}.${repaired ?? ""}` };
      if (s?.settled && !d && Date.now() < deadline) {
        moving = Boolean(await hooks.stillMoving?.());
        if (moving) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
      }
      if (s?.settled && !d)
        return {
          host: ctx.sourceName,
          note:
            (repaired
              ? `${ctx.domain} runs on ${ctx.sourceName}${id(s)}.${repaired}`
              : `${ctx.domain} runs on ${ctx.sourceName}${id(s)}, untouched.`) +
            (moving ? ((await hooks.stillHeld?.()) ?? "") : ""),
        };
      if (s?.settled && d?.settled)
        return {
          host: null,
          note: `${ctx.domain} runs on BOTH ${ctx.sourceName} and ${ctx.targetName}: stop one copy now.`,
        };
      if (!s && !d)
        return {
          host: null,
          note: `${ctx.domain} is running on neither ${ctx.sourceName} nor ${ctx.targetName}.${(await hooks.neither?.()) ?? ""}`,
        };
    }
    const silent = s === undefined || d === undefined;
    if (Date.now() >= deadline && (!silent || Date.now() >= silentDeadline)) {
      const unreachable = [s === undefined && ctx.sourceName, d === undefined && ctx.targetName]
        .filter(Boolean)
        .join(" and ");
      return {
        host: null,
        note: unreachable
          ? `Could not ask ${unreachable}; check there for ${ctx.domain}.`
          : `${ctx.domain} is still between hosts (${s?.shown ?? "-"} / ${d?.shown ?? "-"}); check both hosts.`,
      };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A migration whose SSH session to the source was lost: judged by where the domain is now, never by the lost command
 * (every toolstack). On the target, it succeeded (its downtime unmeasured); on the source, it failed; elsewhere or
 * unknown, it is interrupted with where to look.
 */
export function lostSessionOutcome(
  ctx: Pick<LocateContext, "sourceName" | "targetName">,
  lost: unknown,
  location: DomainLocation,
): MigrationOutcome {
  const arrived = location.host === ctx.targetName;
  return {
    status: arrived ? "succeeded" : location.host === ctx.sourceName ? "failed" : "interrupted",
    errorCode: arrived ? null : "ssh_lost_during_job",
    errorMessage: arrived
      ? null
      : `Ferry lost its SSH session to ${ctx.sourceName} during the migration (${toAppError(lost).message}).`,
    location: arrived
      ? {
          ...location,
          note: `${location.note} The migration finished while Ferry's SSH session to the source was lost; downtime was not measured.`,
        }
      : location,
  };
}
