import fs from "node:fs";
import path from "node:path";

/**
 * What the lab guest has printed on its serial console so far (libvirt's `<log file=… append='on'/>`, e2e/lab/up.sh).
 * libvirt creates the file when it first starts the guest: a lab just built, whose guest never ran, has none yet,
 * which means nothing printed — not an error.
 */
export function guestConsole(labDir: string, guest: string): string {
  try {
    return fs.readFileSync(path.join(labDir, "shared", "console", `${guest}.log`), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}
