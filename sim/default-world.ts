import { World, type SimHost } from "./world";
import { defaultXendConfig } from "./commands/xm";

// The guide's scenario (origin/xen-migration-guide.zh.txt): hostA is the storage server exporting
// /xen-storage over NFS, hostB runs two guests, hostC is empty with room. All Xen 4.17 on x86_64 + VT-x.

const GiB = 1024 * 1024; // in KiB

function xenHost(name: string, ip: string, totalMemoryMiB: number, shared: boolean): SimHost {
  return {
    name,
    hostname: name,
    ip,
    prefix: 24,
    nic: "xenbr0",
    kind: "xen",
    arch: "x86_64",
    virtFlag: "vmx",
    cpuModel: "Intel(R) Xeon(R) CPU E5-2630 v3 @ 2.40GHz",
    nrCpus: 4,
    cpuMhz: 2394.454,
    totalMemoryMiB,
    dom0MemoryMiB: 1024,
    xenVersion: "4.17.3",
    kernelRelease: "6.1.0-18-amd64",
    bootedAt: Date.now() - 3 * 86_400_000,
    nextDomid: 1,
    domains: [],
    mounts: [
      { path: "/", device: "/dev/sda1", totalKiB: 40 * GiB, usedKiB: 8 * GiB },
      { path: "/xen-saved-images", device: "/dev/sdb1", totalKiB: 100 * GiB, usedKiB: 2 * GiB },
      ...(shared
        ? [
            {
              path: "/xen-storage",
              device: "192.168.1.67:/xen-storage",
              totalKiB: 500 * GiB,
              usedKiB: 40 * GiB,
              storage: "nfs:192.168.1.67:/xen-storage",
            },
          ]
        : []),
    ],
    dirs: {
      "/": { mode: 0o755, owner: "root", group: "root" },
      "/root": { mode: 0o700, owner: "root", group: "root" },
      "/tmp": { mode: 0o1777, owner: "root", group: "root" },
      "/etc": { mode: 0o755, owner: "root", group: "root" },
      "/var": { mode: 0o755, owner: "root", group: "root" },
      "/xen-saved-images": { mode: 0o700, owner: "root", group: "root" },
      ...(shared
        ? {
            "/xen-storage": { mode: 0o755, owner: "root", group: "root" },
            "/xen-storage/saves": { mode: 0o700, owner: "root", group: "root" },
          }
        : {}),
    },
    txBytes: 1_000_000 + Math.floor(Math.random() * 1_000_000),
    rxBytes: 2_000_000 + Math.floor(Math.random() * 1_000_000),
  };
}

export function createDefaultWorld(): World {
  const world = new World();
  const a = world.addHost(xenHost("hostA", "192.168.1.67", 4096, false));
  a.mounts.push({
    path: "/xen-storage",
    device: "/dev/sdc1",
    totalKiB: 500 * GiB,
    usedKiB: 40 * GiB,
    storage: "nfs:192.168.1.67:/xen-storage",
  });
  a.dirs["/xen-storage"] = { mode: 0o755, owner: "root", group: "root" };
  a.dirs["/xen-storage/saves"] = { mode: 0o700, owner: "root", group: "root" };
  const b = world.addHost(xenHost("hostB", "192.168.1.68", 8192, true));
  // the guide warns that saved images are unencrypted memory: hostB's image directory is world-readable,
  // so the demo shows the warning Ferry gives
  b.dirs["/xen-saved-images"] = { mode: 0o755, owner: "root", group: "root" };
  world.addHost(xenHost("hostC", "192.168.1.69", 16384, true));
  const now = Date.now();
  world.addDomain("hostB", {
    name: "ubuntu_fuwa_nfs_domU",
    memoryMiB: 256,
    vcpus: 1,
    startedAt: now - 5_400_000,
    cpuSecondsBase: 12.4,
    load: 0.03,
    disks: [{ target: "192.168.1.67:/xen-storage", vdev: "nfsroot" }],
    workload: { wwsMiB: 16, dirtyMiBps: 20 },
  });
  world.addDomain("hostB", {
    name: "debian_etch_domU",
    memoryMiB: 512,
    vcpus: 2,
    startedAt: now - 86_400_000 - 3_723_000,
    cpuSecondsBase: 301.7,
    load: 0.01,
    disks: [{ target: "/xen-storage/debian_etch.img", vdev: "xvda" }],
    workload: { wwsMiB: 64, dirtyMiBps: 40 },
  });
  return world;
}

/** A libvirt/KVM host (virsh) on the same network, mounting hostA's NFS export like the Xen hosts. */
function kvmHost(name: string, ip: string, totalMemoryMiB: number): SimHost {
  return {
    ...xenHost(name, ip, totalMemoryMiB, true),
    kind: "kvm",
    nic: "br0",
    dom0MemoryMiB: 2048,
    completedJobs: new Map(),
    cpuModel: "AMD EPYC 7302P 16-Core Processor",
    virtFlag: "svm",
    nrCpus: 16,
    cpuMhz: 2999.998,
  };
}

/**
 * A legacy Xen host driven by xm and xend (Xen 4.1, Debian squeeze's dom0 kernel), its relocation server on, its
 * xend-relocation-hosts-allow admitting `allow` (xend's stock value is '^localhost$ ^localhost\\.localdomain$').
 */
function xmHost(name: string, ip: string, totalMemoryMiB: number, allow: string[]): SimHost {
  return {
    ...xenHost(name, ip, totalMemoryMiB, true),
    toolstack: "xm",
    // xend's network-bridge script moves the address onto a bridge named after the NIC (the real peth0/eth0 pair)
    nic: "eth0",
    bridge: "eth0",
    xenVersion: "4.1.6",
    kernelRelease: "2.6.32-5-xen-amd64",
    cpuModel: "Intel(R) Xeon(R) CPU E5620 @ 2.40GHz",
    xend: { config: defaultXendConfig(allow), log: "", pid: 2000 + Number(ip.split(".").at(-1)) },
  };
}

/**
 * The demo: the guide's Xen hosts, two KVM hosts beside them (a move between the two kinds is refused), and a pair
 * of legacy xm/xend hosts: xmB admits xmA through its hosts-allow, xmA keeps xend's stock patterns (localhost only),
 * so a move back from xmB is refused by the checks, as xend would refuse it.
 */
export function createDemoWorld(): World {
  const world = createDefaultWorld();
  world.addHost(kvmHost("kvmA", "192.168.1.70", 32768));
  world.addHost(kvmHost("kvmB", "192.168.1.71", 32768));
  world.addHost(xmHost("xmA", "192.168.1.72", 8192, ["^localhost$", "^localhost\\.localdomain$"]));
  world.addHost(
    xmHost("xmB", "192.168.1.73", 8192, ["^localhost$", "^localhost\\.localdomain$", "^192\\.168\\.1\\.72$", "^xmA$"]),
  );
  const now = Date.now();
  world.addDomain("xmA", {
    name: "sles11_domU",
    memoryMiB: 512,
    vcpus: 1,
    startedAt: now - 4 * 86_400_000,
    cpuSecondsBase: 1432.5,
    load: 0.04,
    disks: [{ target: "/xen-storage/sles11.img", vdev: "xvda" }],
    workload: { wwsMiB: 48, dirtyMiBps: 24 },
  });
  world.addDomain("kvmA", {
    name: "web-kvm",
    memoryMiB: 1024,
    vcpus: 2,
    state: "running",
    persistent: true,
    startedAt: now - 7_200_000,
    cpuSecondsBase: 88.1,
    load: 0.05,
    disks: [{ target: "/xen-storage/images/web-kvm.qcow2", vdev: "vda" }],
    workload: { wwsMiB: 64, dirtyMiBps: 30 },
  });
  // dirties faster than a 1 Gbit/s link carries: pre-copy alone does not converge (the job page says so)
  world.addDomain("kvmA", {
    name: "build-kvm",
    memoryMiB: 2048,
    vcpus: 4,
    state: "running",
    persistent: true,
    startedAt: now - 600_000,
    cpuSecondsBase: 512,
    load: 0.9,
    disks: [{ target: "/xen-storage/images/build-kvm.qcow2", vdev: "vda" }],
    workload: { wwsMiB: 1024, dirtyMiBps: 400 },
  });
  const off = world.addDomain("kvmB", {
    name: "win-test",
    memoryMiB: 4096,
    vcpus: 2,
    state: "shutoff",
    persistent: true,
    disks: [{ target: "/xen-storage/images/win-test.qcow2", vdev: "vda" }],
  });
  off.domid = -1;
  return world;
}

/** A large world for benches: `hosts` Xen hosts (sim001…) each running `domains` small domains. */
export function createBigWorld(hosts: number, domains: number): World {
  const world = new World();
  for (let i = 1; i <= hosts; i++) {
    const name = `sim${String(i).padStart(3, "0")}`;
    const h = world.addHost(xenHost(name, `10.${Math.floor(i / 250)}.${i % 250}.${10}`, 65536, true));
    h.ip = `10.77.${Math.floor(i / 200)}.${(i % 200) + 10}`;
    for (let d = 1; d <= domains; d++) {
      world.addDomain(name, {
        name: `${name}-vm${String(d).padStart(2, "0")}`,
        memoryMiB: 256,
        vcpus: 1,
        disks: [{ target: "/xen-storage/bench.img", vdev: "xvda" }],
        workload: { wwsMiB: 8, dirtyMiBps: 4 },
      });
    }
  }
  return world;
}

/**
 * The evacuation benchmark's cluster (bench/evacuate.ts): 20 Xen domains of mixed memory and dirty rate on "src",
 * three empty Xen targets, all on shared storage, every transfer out of src on its one 1 Gbit/s uplink.
 */
export function createEvacuationWorld(): World {
  const world = new World();
  world.addHost(xenHost("src", "192.168.2.10", 16384, true));
  for (const [i, t] of ["t1", "t2", "t3"].entries()) world.addHost(xenHost(t, `192.168.2.${11 + i}`, 8192, true));
  world.uplinks.add("src");
  const now = Date.now();
  const memory = [128, 256, 384, 512];
  const dirty = [2, 8, 20, 40];
  const wws = [8, 32, 64, 128];
  for (let i = 0; i < 20; i++) {
    const mem = memory[i % 4];
    world.addDomain("src", {
      name: `vm${String(i + 1).padStart(2, "0")}`,
      memoryMiB: mem,
      vcpus: 1,
      state: "running",
      startedAt: now - 3_600_000,
      cpuSecondsBase: 10,
      load: 0.1,
      disks: [{ target: `/xen-storage/vm${i + 1}.img`, vdev: "xvda" }],
      // dirty rates and working sets cycle on a different period than memory, so sizes and rates mix
      workload: { wwsMiB: Math.min(wws[(i + 1) % 4], mem / 2), dirtyMiBps: dirty[Math.floor(i / 2) % 4] },
    });
  }
  return world;
}
