import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// The lab's guest with a disk of its own (issue 31): labvm1's definition (e2e/lab/up.sh) under another name, with a
// qcow2 disk in the host's own /var/lib/libvirt/images (each lab host has its own /var: not shared) whose first
// CHECKED_MIB the guest's disk checker writes and verifies all the time (e2e/lab/guest/init, lab.disk_mb). Used by
// the local-disk lab suite (e2e/lab/local-disks.spec.ts) and the lab fault campaign (sim/trials/lab.ts, LAB_DISKS=1).

export const DISK_GUEST = "labdisk1";
export const DISK_DIR = "/var/lib/libvirt/images";
export const DISK_PATH = `${DISK_DIR}/${DISK_GUEST}.qcow2`;
/** the part of the disk the guest's checker writes and verifies (lab.disk_mb) */
export const CHECKED_MIB = 8;

type Host = "hostB" | "hostC";

function run(lab: string, host: Host, ...argv: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(path.join(lab, "bin", "hx"), [host, ...argv], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, stdout, stderr: "" };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}
function must(lab: string, host: Host, ...argv: string[]): string {
  const r = run(lab, host, ...argv);
  if (r.code !== 0) throw new Error(`${host}: ${argv.join(" ")}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
const stateOn = (lab: string, host: Host) => {
  const r = run(lab, host, "virsh", "domstate", DISK_GUEST);
  return r.code === 0 ? r.stdout.trim() : null;
};

/** The guest gone from both hosts: destroyed, undefined, its disk files removed. */
export function removeDiskGuest(lab: string) {
  for (const host of ["hostB", "hostC"] as const) {
    if (stateOn(lab, host) === "running") run(lab, host, "virsh", "destroy", DISK_GUEST);
    if (stateOn(lab, host) !== null) run(lab, host, "virsh", "undefine", DISK_GUEST);
    run(lab, host, "rm", "-f", DISK_PATH);
  }
}

/**
 * Defines the guest on `host` with a fresh disk of `diskMiB` MiB of random bytes and starts it (its checkers count
 * once it has booted: the caller waits on its console). Removes any earlier one first.
 */
export function startDiskGuest(lab: string, host: Host, diskMiB = 24) {
  removeDiskGuest(lab);
  const xml = fs
    .readFileSync(path.join(lab, "shared", "xml", "labvm1.xml"), "utf8")
    .replace(/<name>labvm1<\/name>/, `<name>${DISK_GUEST}</name>`)
    .replace(/<uuid>[^<]*<\/uuid>\n?/, "")
    .replace("console/labvm1.log", `console/${DISK_GUEST}.log`)
    .replace(/lab\.dirty_mb=\d+/, `lab.dirty_mb=8 lab.disk_mb=${CHECKED_MIB}`)
    .replace(
      "<memballoon model='none'/>",
      `<memballoon model='none'/>\n    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${DISK_PATH}'/><target dev='vda' bus='virtio'/></disk>`,
    );
  const xmlFile = path.join(lab, "shared", "xml", `${DISK_GUEST}.xml`);
  fs.writeFileSync(xmlFile, xml);
  for (const h of ["hostB", "hostC"] as const) must(lab, h, "mkdir", "-p", DISK_DIR);
  must(lab, host, "sh", "-c", `head -c ${diskMiB * 1024 * 1024} /dev/urandom > ${DISK_DIR}/seed.raw`);
  must(lab, host, "qemu-img", "convert", "-O", "qcow2", `${DISK_DIR}/seed.raw`, DISK_PATH);
  must(lab, host, "rm", "-f", `${DISK_DIR}/seed.raw`);
  must(lab, host, "virsh", "define", xmlFile);
  must(lab, host, "virsh", "start", DISK_GUEST);
}
