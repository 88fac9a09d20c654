import { AppError } from "../../errors";
import { saveRestoreError } from "./errors";
import { parseProgress } from "./progress";

export { parseProgress };
import type { CommandRunner, SaveRestoreOps } from "../types";
import { isRunning } from "../linux/ps";
import { parseXlList, stateFromLetters } from "./parse-list";
import * as cmd from "./commands";

// xl save / xl restore (xl_saverestore.c; reference §1.5): argv, progress lines, the save-file header, and
// what the host says about a save or restore. Progress comes on stderr as "xc: progress: Frames: done/total  pct%";
// the failure texts are in errors.ts.

const MAGIC = "Xen saved domain, xl format\n \0 \r";

export interface SaveHeader {
  name: string;
  uuid: string | null;
  memoryMiB: number;
  vcpus: number;
  config: Record<string, unknown>;
}

/** Reads xl's 48-byte header and the JSON config after it (base64 of the file's first bytes). */
export function parseSaveHeader(base64: string): SaveHeader | null {
  const b = Buffer.from(base64.trim(), "base64");
  if (b.length < 52 || b.subarray(0, 32).toString("latin1") !== MAGIC) return null;
  if (b.readUInt32LE(32) !== 0x01020304) return null;
  const len = b.readUInt32LE(48);
  if (52 + len > b.length) return null;
  try {
    const config = JSON.parse(
      b
        .subarray(52, 52 + len)
        .toString("utf8")
        .replace(/\0$/, ""),
    );
    const name = config?.c_info?.name;
    if (typeof name !== "string") return null;
    return {
      name,
      uuid: config.c_info.uuid ?? null,
      memoryMiB: Math.round((config.b_info?.max_memkb ?? 0) / 1024),
      vcpus: config.b_info?.max_vcpus ?? 1,
      config,
    };
  } catch {
    return null;
  }
}

const listOrThrow = async (runner: CommandRunner) => {
  const r = await runner.exec(cmd.xlList(), { timeoutMs: 10_000 });
  if (r.code !== 0)
    throw new AppError("toolstack_error", `xl list failed: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}`);
  return parseXlList(r.stdout);
};

/** xl save / restore: xl does the work itself, in its own process (libxl in-process). */
export const xlFiles: SaveRestoreOps = {
  save: cmd.xlSave,
  restore: cmd.xlRestore,
  error: (stderr, what) => saveRestoreError(stderr.split("\n"), what),
  async active(runner, domain) {
    const r = await runner.exec(cmd.xlList(), { timeoutMs: 10_000 }).catch(() => null);
    return r?.code === 0 ? (parseXlList(r.stdout).find((d) => d.name === domain) ?? null) : null;
  },
  outputLine: (raw) => raw.trim(),
  progressOfLine: (line) => parseProgress(line),
  consoleHint: (d) => `xl console ${d}`,
  async state(runner, domain) {
    const row = (await listOrThrow(runner)).find((d) => d.name === domain);
    return row ? stateFromLetters(row.stateLetters, row.name) : "absent";
  },
  saving: (runner, d, f) => isRunning(runner, cmd.xlSave(d, f)),
  restoring: (runner, f) => isRunning(runner, cmd.xlRestore(f)),
  // xl keeps no definitions: a domain is created from a configuration file, which Ferry cannot see
  definitionHint: (d, source) =>
    `xl keeps no definition of ${d}: the configuration file it was created from (xl create …) stays on ${source}; copy it to the new host before ${d} is started there again after a shutdown.`,
  parseHeader(base64) {
    const h = parseSaveHeader(base64);
    return h ? { name: h.name, uuid: h.uuid, memoryMiB: h.memoryMiB, format: "xl", arch: null } : null; // xl's config names no architecture
  },
};
