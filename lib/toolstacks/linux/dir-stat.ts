// The image-directory check (the guide: saved images are unencrypted memory dumps). GNU stat(1).

export type ImageDirState = "private" | "readable-by-others" | "missing" | "unknown";

export interface ImageDirFacts {
  path: string;
  state: ImageDirState;
  /** octal permission bits as stat prints them, e.g. "700" */
  mode: string | null;
  owner: string | null;
}

export const statDirArgv = (dir: string) => ["stat", "-c", "%a %U %n", dir];

/** Reads `stat -c '%a %U %n' dir`; group or other bits set → readable by others. */
export function parseDirStat(dir: string, code: number | null, stdout: string, stderr: string): ImageDirFacts {
  if (code !== 0) {
    return {
      path: dir,
      state: /No such file or directory/.test(stderr) ? "missing" : "unknown",
      mode: null,
      owner: null,
    };
  }
  const m = /^([0-7]{3,4}) (\S+) /.exec(`${stdout.trim()} `);
  if (!m) return { path: dir, state: "unknown", mode: null, owner: null };
  const bits = parseInt(m[1], 8) & 0o077;
  return { path: dir, state: bits ? "readable-by-others" : "private", mode: m[1], owner: m[2] };
}
