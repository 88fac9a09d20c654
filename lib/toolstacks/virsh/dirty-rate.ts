import type { CommandRunner } from "../types";
import * as virsh from "./commands";
import { parseDirtyRate } from "./parse";
import { cachedFor } from "../../ttl-cache";

// The guest's dirty rate, measured by QEMU on the source (`virsh domdirtyrate-calc`, libvirt ≥ 7.2, page
// sampling over one second), cached per host and domain for a minute so a dialog and its job share it. Never the
// dirty bitmap (`--mode dirty-bitmap`, which would see rewrites of the same data): it crashed the lab's guest
// (QEMU 7.2 under software emulation; lib/toolstacks/REFERENCE.md §3.7).

const cached = cachedFor<number>(60_000);

export async function measureDirtyBps(
  runner: CommandRunner,
  host: string,
  domain: string,
  seconds = 1,
): Promise<number | null> {
  return cached(`${host}\0${domain}`, () => measure(runner, domain, seconds));
}

async function measure(runner: CommandRunner, domain: string, seconds: number): Promise<number | null> {
  const start = await runner.exec(virsh.dirtyRateCalc(domain, seconds), { timeoutMs: 10_000 });
  if (start.code !== 0) return null; // an older libvirt, or a hypervisor that cannot
  const deadline = Date.now() + seconds * 1000 + 4_000;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (;;) {
    const r = await runner.exec(virsh.domstatsDirtyRate(domain), { timeoutMs: 10_000 });
    const d = r.code === 0 ? parseDirtyRate(r.stdout) : { status: null, mbps: null };
    if (d.status === 2 && d.mbps !== null) return d.mbps * 1_000_000;
    if (Date.now() > deadline || (d.status !== 1 && d.status !== 0)) return null;
    await new Promise((res) => setTimeout(res, 200));
  }
}
