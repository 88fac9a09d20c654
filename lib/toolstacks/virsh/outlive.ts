import type { CommandRunner } from "../types";
import { hostArgv } from "../linux/host-commands";
import { isRunning, parsePs, psArgv } from "../linux/ps";
import { jobActive } from "./leftovers";

// After Ferry lost its SSH session to the source mid-migration, `virsh migrate` may still run there: a link that went
// down does not end it (sshd notices a dead connection only later). The lab (ci20, e2e/lab/lab.spec.ts "the source's
// link lost early"): hostB's link down 13 s in the reservation; Ferry concluded "runs on hostB, untouched", and virsh,
// still alive, went on once the link was back — libvirt on hostC prepared a paused incoming copy after the job had
// ended. So Ferry concludes nothing while its virsh runs: it waits for it to end (as long as libvirt on the source
// runs the migration job, the migration goes on and may finish), and interrupts it as the migration path does when it
// waits in the reservation with no job on the source for NO_JOB_MS — Ctrl-C (`kill -INT`: virsh aborts the job and
// ends), then KILL after the grace. A host it cannot ask for silentMs is left to the locating that follows.

export interface OutliveOptions {
  domain: string;
  pollMs: number;
  /** how long the reservation may go on with no job on the source */
  noJobMs: number;
  /** how long a Ctrl-C'd virsh may go on before it is killed */
  graceMs: number;
  /** how long a source that cannot be asked is waited for */
  silentMs: number;
  log(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pidOf(runner: CommandRunner, argv: readonly string[]): Promise<number | null> {
  const r = await runner.exec(psArgv, { timeoutMs: 10_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  return parsePs(r.stdout).find((p) => p.args === argv.join(" "))?.pid ?? null;
}

async function ended(runner: CommandRunner, argv: readonly string[], withinMs: number, pollMs: number) {
  const end = Date.now() + withinMs;
  for (;;) {
    if ((await isRunning(runner, argv).catch(() => null)) === false) return true;
    if (Date.now() >= end) return false;
    await sleep(pollMs);
  }
}

/** Waits until the source's `virsh migrate` (argv) has ended, interrupting it when it waits on nothing. */
export async function outliveVirsh(runner: CommandRunner, argv: readonly string[], o: OutliveOptions): Promise<void> {
  let silentSince: number | null = null;
  let noJobSince: number | null = null;
  let said = false;
  for (;;) {
    const running = await isRunning(runner, argv).catch(() => null);
    if (running === false) {
      if (said) o.log("ferry: virsh migrate has ended on the source");
      return;
    }
    const now = Date.now();
    if (running === null) {
      silentSince ??= now;
      if (now - silentSince >= o.silentMs) return;
    } else {
      silentSince = null;
      if (!said) o.log("ferry: virsh migrate still runs on the source: Ferry waits for it before concluding anything");
      said = true;
      noJobSince = (await jobActive(runner, o.domain)) ? null : (noJobSince ?? now);
      if (noJobSince !== null && now - noJobSince >= o.noJobMs) break;
    }
    await sleep(o.pollMs);
  }
  for (const name of ["INT", "KILL"] as const) {
    const pid = await pidOf(runner, argv);
    if (pid === null) return;
    o.log(
      `ferry: virsh migrate waits on the source with no migration job there: ${name === "INT" ? "interrupting it (kill -INT)" : "it outlived the interrupt: killing it"}`,
    );
    await runner.exec(hostArgv.signal(pid, name), { timeoutMs: 10_000 }).catch(() => null);
    if (await ended(runner, argv, o.graceMs, o.pollMs)) return;
  }
}
