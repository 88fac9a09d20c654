import type { World } from "./world";
import { createDemoWorld } from "./default-world";

// The demo with disks that are not shared (issue 31): each KVM host's own /var/lib/libvirt/images and each of hostB's
// and hostC's own /var/lib/xen/images, a KVM guest `db-local` with a 2 GiB qcow2 (96 MiB in use) on kvmA's, a KVM
// guest `app-overlay` whose disk on kvmA's own storage is a qcow2 overlay (32 MiB) on a base image on the NFS share
// both KVM hosts mount, and a Xen guest `xl-local` with a sparse raw image on hostB's (a 512 MiB file, 64 MiB in use). `SIM_WORLD=disks npm run demo`
// serves it; the disk tests (lib/jobs/disk-migration.test.ts) use it.

export const KVM_DISK_DIR = "/var/lib/libvirt/images";
export const XEN_DISK_DIR = "/var/lib/xen/images";
/** a base image on the NFS share every KVM host of the demo mounts (web-kvm's disk is there too) */
export const SHARED_BASE = "/xen-storage/images/base-debian12.qcow2";
const MiB = 1024 * 1024;
const GiB_KiB = 1024 * 1024;

/**
 * A disk image file at `path` on `host`: `allocated` bytes on the host, the guest seeing `virtualBytes`; a sparse
 * file's size (`apparent`) is larger than what it takes.
 */
export function placeDiskFile(
  world: World,
  host: string,
  path: string,
  allocated: number,
  disk?: { format: string; virtualBytes: number; backing?: { path: string; format: string } },
  apparent?: number,
) {
  const at = world.locatePath(host, path);
  if (!at) throw new Error(`${path} is on no mount of ${host}`);
  world.files.set(at.key, {
    head: Buffer.from(path),
    size: allocated,
    ...(apparent ? { apparent } : {}),
    mode: 0o600,
    owner: "root",
    mtime: Date.now(),
    disk,
  });
}

export function createDiskWorld(): World {
  const world = createDemoWorld();
  const localDir = (host: string, dir: string, device: string, totalGiB: number) => {
    const h = world.host(host);
    h.mounts.push({ path: dir, device, totalKiB: totalGiB * GiB_KiB, usedKiB: GiB_KiB });
    h.dirs[dir] = { mode: 0o711, owner: "root", group: "root" };
  };
  for (const h of ["kvmA", "kvmB"]) localDir(h, KVM_DISK_DIR, "/dev/sda3", 200);
  for (const h of ["hostB", "hostC"]) localDir(h, XEN_DISK_DIR, "/dev/sda4", 100);
  world.addDomain("kvmA", {
    name: "db-local",
    memoryMiB: 512,
    vcpus: 1,
    workload: { wwsMiB: 8, dirtyMiBps: 2 },
    disks: [{ target: `${KVM_DISK_DIR}/db-local.qcow2`, vdev: "vda" }],
    persistent: true,
  });
  placeDiskFile(world, "kvmA", `${KVM_DISK_DIR}/db-local.qcow2`, 96 * MiB, {
    format: "qcow2",
    virtualBytes: 2048 * MiB,
  });
  placeDiskFile(world, "kvmA", SHARED_BASE, 900 * MiB, { format: "qcow2", virtualBytes: 4096 * MiB });
  world.addDomain("kvmA", {
    name: "app-overlay",
    memoryMiB: 512,
    vcpus: 1,
    workload: { wwsMiB: 8, dirtyMiBps: 2 },
    disks: [{ target: `${KVM_DISK_DIR}/app-overlay.qcow2`, vdev: "vda" }],
    persistent: true,
  });
  placeDiskFile(world, "kvmA", `${KVM_DISK_DIR}/app-overlay.qcow2`, 32 * MiB, {
    format: "qcow2",
    virtualBytes: 4096 * MiB,
    backing: { path: SHARED_BASE, format: "qcow2" },
  });
  world.addDomain("hostB", {
    name: "xl-local",
    memoryMiB: 256,
    vcpus: 1,
    disks: [{ target: `${XEN_DISK_DIR}/xl-local.img`, vdev: "xvda" }],
  });
  placeDiskFile(world, "hostB", `${XEN_DISK_DIR}/xl-local.img`, 64 * MiB, undefined, 512 * MiB);
  return world;
}
