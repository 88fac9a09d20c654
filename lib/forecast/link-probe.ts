import type { CommandRunner } from "../toolstacks/types";
import { hostArgv } from "../toolstacks/linux/host-commands";
import { cachedFor } from "../ttl-cache";

// The link's speed, measured: the source sends 32 MiB of zeros over SSH to the target (`head -c … /dev/zero |
// ssh <target> wc -c`, the path xl migrate's stream takes) and Ferry times it, minus an empty `ssh <target> true`
// (connection set-up, the shorter of one before and one after). Cached per host pair for ten minutes.

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
  const connect = async () => {
    const t0 = performance.now();
    const empty = await source.exec([...ssh(address), "true"], { timeoutMs: 15_000 });
    return empty.code === 0 ? performance.now() - t0 : null;
  };
  const before = await connect();
  if (before === null) return null;
  const t1 = performance.now();
  const r = await source.exec(
    ["sh", "-c", `head -c "$1" /dev/zero | ${ssh('"$2"').join(" ")} wc -c`, "ferry-link-probe", String(bytes), address],
    { timeoutMs: 120_000 },
  );
  const ms = performance.now() - t1;
  if (r.code !== 0 || Number(r.stdout.trim()) !== bytes) return null;
  // the set-up is timed before and after, and the shorter counts: a busy host that was slow to start one ssh
  // would otherwise subtract more than the transfer's own set-up took, and the link would read faster than it is
  const setupMs = Math.min(before, (await connect()) ?? before);
  return { bps: bytes / (Math.max(1, ms - setupMs) / 1000), bytes, ms };
}
