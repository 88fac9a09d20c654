import { AppError, toAppError } from "../errors";
import { formatMiB } from "../format";
import type { HostView } from "../inventory/types";
import type { ImageView } from "../images/catalog";
import { driverOf } from "../toolstacks";
import { hostArgv as files, parseSha256 } from "../toolstacks/linux/host-commands";
import { parseImageHeader } from "../toolstacks";
import type { CommandRunner } from "../toolstacks/types";
import type { JobEventInput, JobPhase } from "./types";

// What Ferry does when it loses sight of a save, restore or copy (an SSH session dropped, Ferry restarted):
// it never takes that as the toolstack's failure. It reconnects and asks the host — is the command still
// running, what state is the domain in, is the file whole — and only then concludes; a partial image is
// deleted only when the host shows the save gone and the domain running again.

export interface Asking {
  emit(e: JobEventInput): Promise<void>;
  connection(host: HostView): CommandRunner;
  /** how long the host may stay silent after a lost session before Ferry gives up asking (ms) */
  reconnectMs: number;
  /** how often a command still running is looked at again (ms) */
  pollMs: number;
}

/** The host did not answer within reconnectMs: nothing was concluded, nothing deleted. */
export class HostSilent extends Error {
  constructor(
    readonly host: string,
    readonly why: string,
  ) {
    super(`${host} did not answer: ${why}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs an idempotent question (or chmod) until the host answers: an exec that throws — a dropped session,
 * a refused connection, a timeout — is asked again until reconnectMs have passed without an answer.
 */
export async function ask<T>(
  a: Asking,
  host: HostView,
  phase: JobPhase,
  q: (runner: CommandRunner) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + a.reconnectMs;
  let said = false;
  for (;;) {
    try {
      return await q(a.connection(host));
    } catch (e) {
      const why = toAppError(e).message;
      if (Date.now() >= deadline) throw new HostSilent(host.name, why);
      if (!said) {
        said = true;
        await a.emit({
          type: "log",
          phase,
          payload: { line: `ferry: ${host.name} does not answer (${why}); asking again` },
        });
      }
      await sleep(Math.min(1000, a.pollMs));
    }
  }
}

export interface FileFacts {
  size: number;
  header: ReturnType<typeof parseImageHeader>;
}

/** The file's size and the domain its header names; null when there is no such file. */
export async function fileFacts(a: Asking, host: HostView, path: string, phase: JobPhase): Promise<FileFacts | null> {
  return ask(a, host, phase, async (runner) => {
    const st = await runner.exec(files.statFile(path), { timeoutMs: 10_000 });
    if (st.code !== 0) {
      if (/No such file/.test(st.stderr)) return null;
      throw new AppError("toolstack_error", `stat ${path}: ${st.stderr.trim()}`);
    }
    const head = await runner.exec(files.headBase64(path), { timeoutMs: 30_000 });
    return {
      size: Number(st.stdout.trim().split(" ")[2] ?? 0),
      header: head.code === 0 ? parseImageHeader(head.stdout) : null,
    };
  });
}

export async function sha256Of(a: Asking, host: HostView, path: string, phase: JobPhase): Promise<string | null> {
  return ask(a, host, phase, async (runner) =>
    parseSha256((await runner.exec(files.sha256(path), { timeoutMs: 60 * 60_000 })).stdout),
  );
}

export type SaveVerdict =
  | { kind: "saved"; size: number }
  /** the save ended without an image and the domain runs on its host again */
  | { kind: "not-saved"; partialDeleted: boolean }
  /** the domain is neither running nor saved (paused, suspended, gone without a whole image): say what is there */
  | { kind: "stuck"; host: string | null; note: string };

/** After Ferry lost sight of `xl save` / `virsh save`: waits while it runs, then reads the outcome off the host. */
export async function settleSave(a: Asking, host: HostView, domain: string, path: string): Promise<SaveVerdict> {
  const ops = driverOf(host.toolstack).files;
  const phase: JobPhase = "stop-and-copy";
  await a.emit({
    type: "log",
    phase,
    payload: { line: `ferry: asking ${host.name} what became of the save (nothing is deleted until it answers)` },
  });
  let last = { t: Date.now(), size: -1 };
  let said = 0;
  while (await ask(a, host, phase, (r) => ops.saving(r, domain, path))) {
    const f = await fileFacts(a, host, path, phase);
    const now = Date.now();
    if (f && f.size !== last.size) {
      const bps = last.size >= 0 ? Math.round(((f.size - last.size) * 1000) / Math.max(1, now - last.t)) : 0;
      await a.emit({
        type: "sample",
        phase,
        payload: { bytesSent: f.size, throughputBps: Math.max(0, bps), elapsedMs: 0 },
      });
      last = { t: now, size: f.size };
      if (now - said >= 5_000) {
        said = now;
        await a.emit({
          type: "log",
          phase,
          payload: {
            line: `ferry: the save still runs on ${host.name}: ${formatMiB(Math.floor(f.size / 1048576))} written`,
          },
        });
      }
    }
    await sleep(a.pollMs);
  }
  const state = await ask(a, host, phase, (r) => ops.state(r, domain));
  const file = await fileFacts(a, host, path, phase);
  const whole = file?.header?.name === domain;
  if ((state === "absent" || state === "defined" || state === "shutdown") && whole)
    return { kind: "saved", size: file.size };
  if (state === "running" || state === "idle") {
    // the save process is gone and the guest runs again: whatever is in the file is of no use
    if (file)
      await ask(a, host, phase, async (r) => {
        const x = await r.exec(files.remove(path), { timeoutMs: 30_000 });
        if (x.code !== 0) throw new AppError("toolstack_error", x.stderr.trim());
      });
    return { kind: "not-saved", partialDeleted: file !== null };
  }
  if (state === "absent" || state === "defined" || state === "shutdown") {
    return {
      kind: "stuck",
      host: null,
      note: `${domain} is not running on ${host.name}, and ${path} ${file ? "is not a whole save image" : "does not exist"}; it was kept as it is. Check ${host.name}.`,
    };
  }
  return {
    kind: "stuck",
    host: host.name,
    note: `${domain} is ${state} on ${host.name}: the save stopped half-way. ${file ? `${path} was kept.` : ""} Check ${host.name} before resuming or destroying it.`.trim(),
  };
}

export type RestoreVerdict =
  | { kind: "running"; id: string }
  | { kind: "not-restored" }
  | { kind: "stuck"; note: string };

/** After Ferry lost sight of `xl restore` / `virsh restore`: waits while it runs, then reads the domain's state. */
export async function settleRestore(
  a: Asking,
  host: HostView,
  image: Pick<ImageView, "domainName" | "path">,
  patienceMs = 30_000,
): Promise<RestoreVerdict> {
  const ops = driverOf(host.toolstack).files;
  const phase: JobPhase = "activation";
  await a.emit({
    type: "log",
    phase,
    payload: { line: `ferry: asking ${host.name} whether ${image.domainName} runs` },
  });
  let pausedSince: number | null = null;
  for (;;) {
    // the toolstack unpauses a restored domain only once its memory is in: running means the restore is over, even
    // where a process of that command line remains (xl leaves a monitor named `xl restore <file>` while the domain lives)
    const state = await ask(a, host, phase, (r) => ops.state(r, image.domainName));
    if (state === "running" || state === "idle")
      return { kind: "running", id: await domainId(a, host, image.domainName) };
    const running = await ask(a, host, phase, (r) => ops.restoring(r, image.path));
    if (!running && (state === "absent" || state === "defined" || state === "shutdown"))
      return { kind: "not-restored" };
    // a restore shows its domain paused until the memory is in; paused with no restore left is not ours to resume
    if (!running) {
      pausedSince ??= Date.now();
      if (Date.now() - pausedSince > patienceMs)
        return {
          kind: "stuck",
          note: `${image.domainName} is ${state} on ${host.name} and no restore is running: check it there.`,
        };
    } else pausedSince = null;
    await sleep(a.pollMs);
  }
}

async function domainId(a: Asking, host: HostView, domain: string): Promise<string> {
  const d = await ask(a, host, "activation", (r) => driverOf(host.toolstack).files.active(r, domain)).catch(() => null);
  return d?.id === null || d?.id === undefined ? "?" : String(d.id);
}
