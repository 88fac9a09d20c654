import type { CommandRunner } from "../toolstacks/types";
import { hostArgv } from "../toolstacks/linux/host-commands";
import { cachedFor } from "../ttl-cache";

// The link's speed, measured: the source sends 32 MiB of zeros over SSH to the target (`head -c … /dev/zero |
// ssh <target> wc -c`, the path xl migrate's stream takes) and Ferry times it, minus an empty `ssh <target> true`
// (connection set-up). Cached per host pair for ten minutes.

const PROBE_BYTES = 32 * 1024 * 1024;
const cached = cachedFor<LinkProbe>(10 * 60_000);

export interface LinkProbe {
  bps: number;
  bytes: number;
  ms: number;
}

const ssh = hostArgv.sshTo;

export async function probeLink(
  source: CommandRunner,
  sourceName: string,
  targetAddress: string,
  bytes = PROBE_BYTES,
): Promise<LinkProbe | null> {
  return cached(`${sourceName}\0${targetAddress}`, () => measure(source, targetAddress, bytes));
}

async function measure(source: CommandRunner, address: string, bytes: number): Promise<LinkProbe | null> {
  const t0 = performance.now();
  const empty = await source.exec([...ssh(address), "true"], { timeoutMs: 15_000 });
  if (empty.code !== 0) return null;
  const setupMs = performance.now() - t0;
  const t1 = performance.now();
  const r = await source.exec(
    ["sh", "-c", `head -c "$1" /dev/zero | ${ssh('"$2"').join(" ")} wc -c`, "ferry-link-probe", String(bytes), address],
    { timeoutMs: 120_000 },
  );
  const ms = performance.now() - t1;
  if (r.code !== 0 || Number(r.stdout.trim()) !== bytes) return null;
  return { bps: bytes / (Math.max(1, ms - setupMs) / 1000), bytes, ms };
}
