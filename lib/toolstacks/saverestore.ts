import type { ErrorCode } from "../errors";
import type { CommandRunner, ToolstackName } from "./types";
import { parseSaveHeader, saveRestoreError } from "./xl/saverestore";
import { parseXlList } from "./xl/parse-list";
import { parseLibvirtSaveHeader, virshSaveRestoreError } from "./virsh/saverestore";
import { parseDomjobinfo, parseVirshList } from "./virsh/parse";
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
}

const xlOps: SaveRestoreOps = {
  save: (d, f) => ["xl", "save", d, f],
  restore: (f) => ["xl", "restore", f],
  error: (stderr, what) => saveRestoreError(stderr.split("\n"), what),
  async active(runner, domain) {
    const r = await runner.exec(["xl", "list"], { timeoutMs: 10_000 }).catch(() => null);
    return r?.code === 0 ? parseXlList(r.stdout).find((d) => d.name === domain) ?? null : null;
  },
  consoleHint: (d) => `xl console ${d}`,
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
};

export const saveRestoreOps = (t: ToolstackName): SaveRestoreOps => (t === "virsh" ? virshOps : xlOps);

/** The domain a save file holds, from its first bytes: xl's header or libvirt's. */
export function parseAnySaveHeader(base64: string): { name: string; uuid: string | null; memoryMiB: number } | null {
  return parseSaveHeader(base64) ?? parseLibvirtSaveHeader(base64);
}
