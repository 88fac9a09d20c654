import type { CommandRunner } from "../types";

// A disk image on a host, as qemu-img sees it (QEMU's own tool, whatever the toolstack): its format, its size as the
// guest sees it and the bytes it takes on the host. Read before a disk is copied to another host; and the one way
// Ferry creates a file to copy a disk into — never over a file that is there (qemu-img create would truncate it).

export interface DiskFile {
  format: string;
  /** the size the guest sees */
  virtualBytes: number;
  /** the bytes it takes on the host's disk (sparse and qcow2 files take less) */
  allocatedBytes: number;
  /** the image it is layered on, if any (a qcow2 overlay): its full path and its format */
  backing: { path: string; format: string } | null;
}

export const diskArgv = {
  /** `-U`: read a disk a running guest holds open (QEMU's image locking would refuse otherwise) */
  info: (file: string) => ["qemu-img", "info", "-U", "--output=json", file],
  /**
   * An empty disk of that format and size at `file` — layered on `backing` when given — only where no file is (exit 1
   * and no output otherwise).
   */
  createAbsent: (file: string, format: string, bytes: number, backing?: { path: string; format: string }) =>
    backing
      ? [
          "sh",
          "-c",
          'test ! -e "$1" && qemu-img create -q -f "$2" -b "$4" -F "$5" "$1" "$3"',
          "ferry-disk",
          file,
          format,
          String(bytes),
          backing.path,
          backing.format,
        ]
      : [
          "sh",
          "-c",
          'test ! -e "$1" && qemu-img create -q -f "$2" "$1" "$3"',
          "ferry-disk",
          file,
          format,
          String(bytes),
        ],
  exists: (file: string) => ["test", "-e", file],
};

/** `qemu-img info --output=json` (lib/toolstacks/linux/fixtures/qemu-img-info-qcow2-lab.json) → the disk, or null. */
export function parseQemuImgInfo(json: string): DiskFile | null {
  try {
    const o = JSON.parse(json) as Record<string, unknown>;
    const virtual = o["virtual-size"];
    const actual = o["actual-size"];
    if (typeof o.format !== "string" || typeof virtual !== "number") return null;
    return {
      format: o.format,
      virtualBytes: virtual,
      allocatedBytes: typeof actual === "number" ? actual : virtual,
      // "backing-filename" is as given when the overlay was made (maybe relative); "full-backing-filename" resolved
      backing:
        typeof o["full-backing-filename"] === "string" || typeof o["backing-filename"] === "string"
          ? {
              path: String(o["full-backing-filename"] ?? o["backing-filename"]),
              format: typeof o["backing-filename-format"] === "string" ? o["backing-filename-format"] : "raw",
            }
          : null,
    };
  } catch {
    return null;
  }
}

/** The disk at `file` on the host; a sentence saying why not when it cannot be read. */
export async function readDiskFile(runner: CommandRunner, file: string): Promise<DiskFile | string> {
  const r = await runner.exec(diskArgv.info(file), { timeoutMs: 15_000 }).catch((e: Error) => ({
    code: -1,
    stdout: "",
    stderr: e.message,
  }));
  if (r.code === 127) return "qemu-img is not installed there (Debian: qemu-utils)";
  const disk = r.code === 0 ? parseQemuImgInfo(r.stdout) : null;
  return (
    disk ??
    (r.stderr
      .trim()
      .split("\n")[0]
      ?.replace(/^qemu-img: /, "") ||
      `qemu-img info exit ${r.code}`)
  );
}

/** Whether a file is at `path` on the host; null when the host could not be asked. */
export async function fileExists(runner: CommandRunner, path: string): Promise<boolean | null> {
  const r = await runner.exec(diskArgv.exists(path), { timeoutMs: 8_000 }).catch(() => null);
  return r === null || (r.code !== 0 && r.code !== 1) ? null : r.code === 0;
}
