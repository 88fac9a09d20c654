import type { ErrorCode } from "../../errors";
import type { CommandRunner } from "../types";

// xl save / xl restore (xl_saverestore.c; reference §1.5): argv, progress lines, save-file header,
// failure texts. Progress comes on stderr as "xc: progress: Frames: done/total  pct%".

export const argv = {
  save: (domain: string, file: string) => ["xl", "save", domain, file],
  restore: (file: string) => ["xl", "restore", file],
  sha256: (file: string) => ["sha256sum", file],
  chmodPrivate: (file: string) => ["chmod", "600", file],
  remove: (file: string) => ["rm", "-f", file],
  statFile: (file: string) => ["stat", "-c", "%a %U %s %Y %n", file],
  dfDir: (dir: string) => ["df", "-P", dir],
  headBase64: (file: string) => ["sh", "-c", 'head -c 65536 -- "$1" | base64 -w 0', "ferry-head", file],
  listDir: (dir: string) => ["find", dir, "-maxdepth", "1", "-type", "f", "-printf", "%s %T@ %m %p\\n"],
  copyTo: (file: string, address: string) => ["scp", "-q", "-o", "BatchMode=yes", file, `${address}:${file}`],
};

/** "xc: progress: Frames: 13312/262144    5%" → numbers (null for other lines). */
export function parseProgress(line: string): { done: number; total: number; percent: number } | null {
  const m = /^xc: (?:progress: )?Frames: (\d+)\/(\d+)\s+(\d+)%$/.exec(line.trim());
  return m ? { done: Number(m[1]), total: Number(m[2]), percent: Number(m[3]) } : null;
}

const MAGIC = "Xen saved domain, xl format\n \0 \r";

export interface SaveHeader { name: string; uuid: string | null; memoryMiB: number; vcpus: number; config: Record<string, unknown> }

/** Reads xl's 48-byte header and the JSON config after it (base64 of the file's first bytes). */
export function parseSaveHeader(base64: string): SaveHeader | null {
  const b = Buffer.from(base64.trim(), "base64");
  if (b.length < 52 || b.subarray(0, 32).toString("latin1") !== MAGIC) return null;
  if (b.readUInt32LE(32) !== 0x01020304) return null;
  const len = b.readUInt32LE(48);
  if (52 + len > b.length) return null;
  try {
    const config = JSON.parse(b.subarray(52, 52 + len).toString("utf8").replace(/\0$/, ""));
    const name = config?.c_info?.name;
    if (typeof name !== "string") return null;
    return { name, uuid: config.c_info.uuid ?? null, memoryMiB: Math.round((config.b_info?.max_memkb ?? 0) / 1024), vcpus: config.b_info?.max_vcpus ?? 1, config };
  } catch {
    return null;
  }
}

const ERRORS: [RegExp, ErrorCode, string][] = [
  [/No space left on device/, "save_no_space", "The disk filled up during the save; the domain was resumed."],
  [/Failed to open temp file/, "save_unwritable", "xl could not create the image file (does the directory exist?)."],
  [/Can't open restore file/, "image_missing", "The image file is not there."],
  [/wrong magic number|wrong byte order|Savefile truncated|mandatory flag/, "image_corrupt", "The file is not a complete xl save image."],
  [/already exists/, "domain_exists", "A domain of that name already runs on this host."],
  [/cannot allocate memory/, "restore_no_memory", "The host has not enough free memory for the domain."],
  [/is an invalid domain identifier|does not exist\./, "domain_not_found", "The domain is not on this host any more."],
];

export function saveRestoreError(lines: string[], what: "save" | "restore"): { code: ErrorCode; message: string } {
  for (const [re, code, message] of ERRORS) if (lines.some((l) => re.test(l))) return { code, message };
  // quote the line that says why (an error line), never a progress line that happened to come last
  const said = lines.map((l) => l.trim()).filter((l) => l && !parseProgress(l) && !/^xc: progress:/.test(l));
  const cause = said.find((l) => /error|fail|cannot|can't|unable/i.test(l)) ?? said.at(-1);
  return { code: what === "save" ? "save_failed" : "restore_failed", message: `xl ${what} failed: ${cause ?? "no message"}` };
}

export function parseSha256(stdout: string): string | null {
  return /^([0-9a-f]{64})\s/.exec(stdout)?.[1] ?? null;
}

/** `find … -printf '%s %T@ %m %p\n'` → files. */
export function parseDirListing(stdout: string): { size: number; mtime: number; mode: string; path: string }[] {
  return stdout.split("\n").map((l) => /^(\d+) (\d+)(?:\.\d+)? ([0-7]+) (\/.+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), mtime: Number(m[2]) * 1000, mode: m[3], path: m[4] }));
}

export async function freeKiB(runner: CommandRunner, dir: string): Promise<number | null> {
  const r = await runner.exec(argv.dfDir(dir), { timeoutMs: 8_000 }).catch(() => null);
  const f = r?.code === 0 ? r.stdout.trim().split("\n")[1]?.trim().split(/\s+/) : undefined;
  return f && f.length >= 6 ? Number(f[3]) : null;
}
