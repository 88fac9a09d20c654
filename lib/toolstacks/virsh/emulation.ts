import type { CommandRunner, HostFacts, MigrationOptions } from "../types";
import { domainXml } from "./commands";

// A bandwidth limit on a migration QEMU runs by software emulation (TCG, no KVM): refused. In Ferry's lab (QEMU 7.2
// under TCG, libvirt 9.0, Debian 12), every migration limited to 32 MiB/s that completed delivered the guest with
// memory that was not the guest's: its checker found thousands of pages holding a later generation than the guest's
// own state expected — with plain `virsh migrate --bandwidth 32` and `migrate-setmaxdowntime 1500` as with Ferry, and
// never without the limit or with one the link never reached (README, "A guest's memory, checked"; the runs:
// `npm run study:lab`, sim/trials/lab-study.ts). KVM hosts were not tried here (the machine had none then).
//
// Emulation is the guest's, not only the host's: a host that offers KVM still runs a guest defined as
// `<domain type='qemu'>` by emulation (the lab's guests, on a machine that has /dev/kvm since: fixtures
// dumpxml-tcg-lab.xml beside capabilities-lab.txt). So Ferry asks the guest's live definition as well.

/** libvirt's capabilities offer QEMU guests only as `<domain type='qemu'/>` (no KVM); null when it lists no guest. */
export function parseEmulatedOnly(capabilitiesXml: string): boolean | null {
  if (!/<guest>/.test(capabilitiesXml)) return null;
  return !/<domain type=['"]kvm['"]/.test(capabilitiesXml);
}

/** The domain type of a definition (`<domain type='qemu' id='3'>`: "qemu"); null when there is none. */
export function parseDomainType(xml: string): string | null {
  return /<domain\s+type=['"]([\w-]+)['"]/.exec(xml)?.[1] ?? null;
}

/**
 * Whether QEMU runs this guest by software emulation: its host offers no KVM, or its live definition is of type
 * 'qemu'. A definition Ferry could not read says nothing more than the host's capabilities do.
 */
export async function guestEmulated(runner: CommandRunner, domain: string, facts: HostFacts | null): Promise<boolean> {
  if (facts?.emulatedOnly) return true;
  const r = await runner.exec(domainXml(domain), { timeoutMs: 15_000 }).catch(() => null);
  return r?.code === 0 && parseDomainType(r.stdout) === "qemu";
}

/** Why a migration option is refused for a guest QEMU emulates (or not), in a sentence; null when it is not. */
export function refusedOption(sourceName: string, emulated: boolean, o: { bandwidthMiBps?: number }): string | null {
  if (!emulated || !o.bandwidthMiBps) return null;
  return `${sourceName} runs this guest by software emulation (QEMU without KVM), where a bandwidth-limited migration delivered guests with corrupted memory in Ferry's lab. Migrate without a bandwidth limit; a maximum downtime still applies.`;
}

/**
 * The maximum downtime Ferry asks for at least where QEMU emulates its guests. The corrupted guests came from
 * migrations QEMU ran for 4 or more rounds (a limit, or a busy machine at QEMU's default 300 ms); with 1.5 s it stops
 * the guest after 3 and the lab's guest arrived whole every time (README, "A guest's memory, checked").
 */
export const EMULATED_MIN_DOWNTIME_MS = 1500;

/** The options Ferry runs a migration from this source with instead of those chosen, and why; null: as chosen. */
export function saferOptions(
  sourceName: string,
  emulated: boolean,
  o: MigrationOptions,
): { options: MigrationOptions; reason: string } | null {
  if (!emulated || (o.maxDowntimeMs ?? 0) >= EMULATED_MIN_DOWNTIME_MS) return null;
  const asked = o.maxDowntimeMs ? `${o.maxDowntimeMs} ms` : "QEMU's default of 300 ms";
  return {
    options: { ...o, maxDowntimeMs: EMULATED_MIN_DOWNTIME_MS },
    reason: `${sourceName} runs this guest by software emulation (QEMU without KVM): Ferry asks QEMU for a maximum downtime of ${EMULATED_MIN_DOWNTIME_MS} ms instead of ${asked}, so that it stops the guest after few rounds. Migrations of 4 or more rounds delivered corrupted guests in Ferry's lab.`,
  };
}
