import type { HostFacts, MigrationOptions } from "../types";

// A bandwidth limit on a migration QEMU runs by software emulation (TCG, no KVM): refused. In Ferry's lab (QEMU 7.2
// under TCG, libvirt 9.0, Debian 12), every migration limited to 32 MiB/s that completed delivered the guest with
// memory that was not the guest's: its checker found thousands of pages holding a later generation than the guest's
// own state expected — with plain `virsh migrate --bandwidth 32` and `migrate-setmaxdowntime 1500` as with Ferry, and
// never without the limit or with one the link never reached (README, "A guest's memory, checked"; the runs:
// `npm run study:lab`, sim/trials/lab-study.ts). KVM hosts were not tried here (this machine has none).

/** libvirt's capabilities offer QEMU guests only as `<domain type='qemu'/>` (no KVM); null when it lists no guest. */
export function parseEmulatedOnly(capabilitiesXml: string): boolean | null {
  if (!/<guest>/.test(capabilitiesXml)) return null;
  return !/<domain type=['"]kvm['"]/.test(capabilitiesXml);
}

/** Why a migration option is refused on this source, in a sentence; null when it is not. */
export function refusedOption(
  sourceName: string,
  facts: HostFacts | null,
  o: { bandwidthMiBps?: number },
): string | null {
  if (!facts?.emulatedOnly || !o.bandwidthMiBps) return null;
  return `${sourceName} runs its guests by software emulation (QEMU without KVM), where a bandwidth-limited migration delivered guests with corrupted memory in Ferry's lab. Migrate without a bandwidth limit; a maximum downtime still applies.`;
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
  facts: HostFacts | null,
  o: MigrationOptions,
): { options: MigrationOptions; reason: string } | null {
  if (!facts?.emulatedOnly || (o.maxDowntimeMs ?? 0) >= EMULATED_MIN_DOWNTIME_MS) return null;
  const asked = o.maxDowntimeMs ? `${o.maxDowntimeMs} ms` : "QEMU's default of 300 ms";
  return {
    options: { ...o, maxDowntimeMs: EMULATED_MIN_DOWNTIME_MS },
    reason: `${sourceName} runs its guests by software emulation (QEMU without KVM): Ferry asks QEMU for a maximum downtime of ${EMULATED_MIN_DOWNTIME_MS} ms instead of ${asked}, so that it stops the guest after few rounds. Migrations of 4 or more rounds delivered corrupted guests in Ferry's lab.`,
  };
}
