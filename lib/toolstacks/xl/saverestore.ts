import type { ErrorCode } from "../../errors";

// xl save / xl restore (xl_saverestore.c; reference §1.5): argv, progress lines, save-file header,
// failure texts. Progress comes on stderr as "xc: progress: Frames: done/total  pct%".

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
