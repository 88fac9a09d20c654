import { AppError, type ErrorCode } from "../errors";
import type { CommandRunner, DomainState, ToolstackName } from "./types";
import { parseSaveHeader, saveRestoreError } from "./xl/saverestore";
import { parseXlList, stateFromLetters } from "./xl/parse-list";
import { parseLibvirtSaveHeader, virshSaveRestoreError } from "./virsh/saverestore";
import { parseDomjobinfo, parseVirshList, virshStates } from "./virsh/parse";
import { isRunning } from "./linux/ps";
import * as virsh from "./virsh/commands";

// Save and restore per toolstack: argv, failure texts, "is it running here?", and the save-file header
// (either format: a directory may hold images of both toolstacks).

export interface SaveRestoreOps {
  save(domain: string, file: string): string[];
  restore(file: string): string[];
  error(stderr: string, what: "save" | "restore"): { code: ErrorCode; message: string };
  /** the domain if it is active on the host (running, paused…), else null */
  active(runner: CommandRunner, domain: string): Promise<{ id: number | null } | null>;
  /** bytes written so far by a running save, where the toolstack can tell (virsh domjobinfo) */
  saveProgress?(runner: CommandRunner, domain: string): Promise<number | null>;
  consoleHint(domain: string): string;
  /**
   * The domain's state on the host, "absent" when the host does not list it, "defined" for a libvirt domain
   * that is defined but not running. Throws when the host cannot be asked: "could not ask" is never "absent".
   */
  state(runner: CommandRunner, domain: string): Promise<DomainState | "absent" | "defined">;
  /** whether the save of `domain` into `file` is still going on the host (its process, or libvirt's job) */
  saving(runner: CommandRunner, domain: string, file: string): Promise<boolean>;
  /** whether a restore of `file` is still going on the host */
  restoring(runner: CommandRunner, file: string): Promise<boolean>;
}

const listOrThrow = async (runner: CommandRunner, argv: string[]) => {
  const r = await runner.exec(argv, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new AppError("toolstack_error", `${argv.join(" ")} failed: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}`);
  return r.stdout;
};

const xlOps: SaveRestoreOps = {
  save: (d, f) => ["xl", "save", d, f],
  restore: (f) => ["xl", "restore", f],
  error: (stderr, what) => saveRestoreError(stderr.split("\n"), what),
  async active(runner, domain) {
    const r = await runner.exec(["xl", "list"], { timeoutMs: 10_000 }).catch(() => null);
    return r?.code === 0 ? parseXlList(r.stdout).find((d) => d.name === domain) ?? null : null;
  },
  consoleHint: (d) => `xl console ${d}`,
  async state(runner, domain) {
    const row = parseXlList(await listOrThrow(runner, ["xl", "list"])).find((d) => d.name === domain);
    return row ? stateFromLetters(row.stateLetters, row.name) : "absent";
  },
  // xl does the save itself, in its own process (libxl in-process)
  saving: (runner, d, f) => isRunning(runner, ["xl", "save", d, f]),
  restoring: (runner, f) => isRunning(runner, ["xl", "restore", f]),
};

const virshOps: SaveRestoreOps = {
  save: (d, f) => virsh.save(d, f),
  restore: (f) => virsh.restore(f),
  error: virshSaveRestoreError,
  async active(runner, domain) {
    const r = await runner.exec(["virsh", "list"], { timeoutMs: 10_000 }).catch(() => null);
    if (r?.code !== 0) return null;
    try { return parseVirshList(r.stdout).find((d) => d.name === domain) ?? null; } catch { return null; }
  },
  async saveProgress(runner, domain) {
    const r = await runner.exec(virsh.domjobinfo(domain), { timeoutMs: 5_000 }).catch(() => null);
    if (r?.code !== 0) return null;
    try { return parseDomjobinfo(r.stdout).memoryProcessed; } catch { return null; }
  },
  consoleHint: (d) => `virsh console ${d}`,
  async state(runner, domain) {
    const row = parseVirshList(await listOrThrow(runner, ["virsh", "list", "--all"])).find((d) => d.name === domain);
    return !row ? "absent" : row.id === null ? "defined" : virshStates[row.state] ?? "unknown";
  },
  // libvirtd does the save; it carries on when virsh's connection goes, so ask libvirt's job, then the process
  async saving(runner, d, f) {
    const r = await runner.exec(virsh.domjobinfo(d), { timeoutMs: 10_000 });
    const job = r.code === 0 ? parseDomjobinfo(r.stdout) : null;
    if (job && (job.type === "Unbounded" || job.type === "Bounded") && job.operation === "Save") return true;
    return isRunning(runner, virsh.save(d, f));
  },
  restoring: (runner, f) => isRunning(runner, virsh.restore(f)),
};

export const saveRestoreOps = (t: ToolstackName): SaveRestoreOps => (t === "virsh" ? virshOps : xlOps);

export interface ImageHeader { name: string; uuid: string | null; memoryMiB: number; format: ToolstackName; arch: string | null }

/**
 * The domain a save file holds, from its first bytes: xl's header or libvirt's — which also says which
 * toolstack can restore it, and (libvirt's domain XML) the architecture. xl's config does not name one.
 */
export function parseAnySaveHeader(base64: string): ImageHeader | null {
  const xl = parseSaveHeader(base64);
  if (xl) return { name: xl.name, uuid: xl.uuid, memoryMiB: xl.memoryMiB, format: "xl", arch: null };
  const lv = parseLibvirtSaveHeader(base64);
  return lv ? { name: lv.name, uuid: lv.uuid, memoryMiB: lv.memoryMiB, format: "virsh", arch: /<type\b[^>]*\barch='([^']+)'/.exec(lv.xml)?.[1] ?? null } : null;
}
