import { AppError } from "../../errors";
import type { CommandRunner, SaveRestoreOps } from "../types";
import { isRunning } from "../linux/ps";
import * as cmd from "./commands";
import { filesErrorOf } from "./errors";
import { parseSxp, parseXmList, value, type Sxp } from "./parse";
import { stateOfXmLetters } from "./state";

// xm save / xm restore (reference §2): xend does the work and xm prints nothing on success, nor any progress
// (the save's rounds go to xend.log). The file starts "LinuxGuestRecord", a 4-byte big-endian length and the
// domain's SXP config (XendCheckpoint.py: SIGNATURE, write_exact of the config), then xc_save's stream.

export const SIGNATURE = "LinuxGuestRecord";

/** The domain an xm save file holds, from its first bytes (base64); null when it is not one. */
export function parseXmSaveHeader(base64: string): { name: string; uuid: string | null; memoryMiB: number } | null {
  const b = Buffer.from(base64.trim(), "base64");
  if (b.length < 20 || b.subarray(0, 16).toString("latin1") !== SIGNATURE) return null;
  const len = b.readUInt32BE(16);
  if (len <= 0 || 20 + len > b.length) return null;
  const [config] = parseSxp(b.subarray(20, 20 + len).toString("utf8")) as Sxp[];
  const name = value(config, "name");
  if (!Array.isArray(config) || config[0] !== "domain" || !name) return null;
  return { name, uuid: value(config, "uuid") ?? null, memoryMiB: Number(value(config, "memory") ?? 0) };
}

const listOrThrow = async (runner: CommandRunner) => {
  const r = await runner.exec(cmd.xmList(), { timeoutMs: 10_000 });
  if (r.code !== 0)
    throw new AppError("toolstack_error", `xm list failed: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}`);
  return parseXmList(r.stdout);
};

export const xmFiles: SaveRestoreOps = {
  save: cmd.xmSave,
  restore: cmd.xmRestore,
  error: (stderr, what) => filesErrorOf(stderr, what),
  async active(runner, domain) {
    const r = await runner.exec(cmd.xmList(), { timeoutMs: 10_000 }).catch(() => null);
    const row = r?.code === 0 ? parseXmList(r.stdout).find((d) => d.name === domain && d.id !== null) : undefined;
    return row ? { id: row.id } : null;
  },
  outputLine: (raw) => raw.trim(),
  consoleHint: (d) => `xm console ${d}`,
  async state(runner, domain) {
    const row = (await listOrThrow(runner)).find((d) => d.name === domain);
    if (!row) return "absent";
    return row.id === null ? "defined" : stateOfXmLetters(row.stateLetters);
  },
  saving: (runner, d, f) => isRunning(runner, cmd.xmSave(d, f)),
  restoring: (runner, f) => isRunning(runner, cmd.xmRestore(f)),
  // a domain made with `xm create` is forgotten by xend once saved; one made with `xm new` stays managed (shut off)
  definitionHint: (d, source) =>
    `The configuration file ${d} was created from (xm create …) stays on ${source}; copy it to the new host before ${d} is started there again after a shutdown.`,
  parseHeader(base64) {
    const h = parseXmSaveHeader(base64);
    return h ? { ...h, format: "xm", arch: null } : null;
  },
};
