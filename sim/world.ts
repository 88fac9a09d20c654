import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";

// The one shared world behind every simulated host: hosts, their domains, disks and NICs.
// Commands (sim/commands) read and change it; tests and the control server inspect it.

/** "shutoff": a libvirt domain that is defined but not running (no id, uses no memory). */
export type DomainRunState = "running" | "blocked" | "paused" | "suspended" | "crashed" | "dying" | "shutoff";

/** A libvirt job on a domain (virsh domjobinfo reads it); also kept, completed, per host and domain. */
export interface SimJob {
  type: "Unbounded" | "Completed" | "Failed" | "Cancelled";
  operation: "Outgoing migration" | "Incoming migration" | "Save" | "Restore";
  startedAt: number;
  endedAt?: number;
  processed: number;
  remaining: number;
  total: number;
  bandwidthBps: number;
  dirtyPagesPerSec: number;
  iteration: number;
  expectedDowntimeMs: number;
  downtimeMs?: number;
  throttlePercent?: number;
  postcopy?: boolean;
  abort?: boolean;
  /** QEMU missed the cancel (the "cancel-missed" fault): "cancelling" until a migrate-continue sets `continued` */
  cancelling?: boolean;
  continued?: boolean;
  /** the disks a migration copies first (--copy-storage-all): libvirt's "File" figures, the disks' full size */
  disk?: { processed: number; total: number; copying: boolean };
}

export interface SimDomain {
  uuid: string;
  name: string;
  domid: number;
  memoryMiB: number;
  vcpus: number;
  state: DomainRunState;
  type: "pv" | "pvh" | "hvm";
  kernel: string;
  disks: { target: string; vdev: string }[];
  mac: string;
  /** ms since epoch when the domain was created on its current host */
  startedAt: number;
  /** CPU seconds accumulated before startedAt (carried over a migration) */
  cpuSecondsBase: number;
  /** share of one vCPU the guest keeps busy, for CPU time growth */
  load: number;
  /** pre-copy workload: the writable working set and how fast the guest dirties it */
  workload: { wwsMiB: number; dirtyMiBps: number };
  /** libvirt: defined (survives shutdown) or transient */
  persistent?: boolean;
  /** libvirt: the running job (migration, save) */
  job?: SimJob;
  /** libvirt: why a shut-off domain stopped, when not the usual (`virsh domstate --reason`: "crashed") */
  stopReason?: string;
  /** libvirt: why a paused domain is paused, when no job explains it ("migrating": left so by a failed migration) */
  pauseReason?: string;
  /** libvirt: migrate-setmaxdowntime (ms; QEMU's default 300) and migrate-setspeed (MiB/s) */
  maxDowntimeMs?: number;
  speedMiBps?: number;
}

/** A fault a test arms; the next migration (of `domain`, or any) consumes it. */
export type SimFault =
  | { kind: "target-oom"; domain?: string }
  /**
   * the link between source and target goes down: in pre-copy, in the last copy, or (libvirt) while the target prepares
   * — "reservation": virsh waits on with no job left on the source, and the target keeps a paused incoming copy
   */
  | { kind: "link-cut"; during: "reservation" | "precopy" | "stop-and-copy"; domain?: string }
  | { kind: "target-start-fails"; domain?: string }
  /** xl: the sender cannot put the domain in log-dirty mode (real Xen 4.17 without shadow paging, a PV guest) */
  | { kind: "suspend-refused"; domain?: string }
  | { kind: "disk-full"; atPercent: number; domain?: string }
  | { kind: "corrupt-file"; path: string; domain?: undefined }
  /** the guest's QEMU dies during the next migration's pre-copy (libvirt: "domain is no longer running") */
  | { kind: "domain-crash"; domain?: string }
  /**
   * QEMU 7.2 misses the next cancel that lands at the switchover of a migration with disks: it stays "cancelling"
   * with the guest paused until `migrate-continue` (lib/toolstacks/virsh/stuck-cancel.ts)
   */
  | { kind: "cancel-missed"; domain?: string };

export interface SimMount {
  path: string;
  device: string;
  totalKiB: number;
  usedKiB: number /** same key = same storage (NFS) */;
  storage?: string;
}
/** A file on a simulated disk: its first bytes (header and config) and a size; the rest reads as zeros. */
export interface SimFile {
  head: Buffer;
  size: number;
  /** a sparse file's size as `stat` and readers see it, larger than the `size` it takes on the host (default: size) */
  apparent?: number;
  mode: number;
  owner: string;
  mtime: number;
  /** a disk image (qemu-img info): its format and the size the guest sees; `size` is what it takes on the host */
  disk?: { format: string; virtualBytes: number; backing?: { path: string; format: string } };
}
export interface SimDir {
  mode: number;
  owner: string;
  group: string;
}

export interface SimHost {
  name: string;
  hostname: string;
  ip: string;
  prefix: number;
  nic: string;
  kind: "xen" | "kvm";
  /** the host's locale (LANG), e.g. "de_DE.UTF-8"; libvirt's tools translate their labels and numbers into it */
  locale?: string;
  /** libvirt: libvirtd is not running (killed, restarting): every virsh command fails to connect */
  libvirtdDown?: boolean;
  /** a Xen host driven by xm and xend (Xen ≤ 4.4) instead of xl */
  toolstack?: "xm";
  /** xend's configuration file, log and pid (xm hosts; sim/commands/xm.ts) */
  xend?: { config: string; log: string; pid: number };
  /** the bridge its guests' interfaces are on (default: the NIC, which is the bridge on these hosts) */
  bridge?: string;
  /** the bridges `ip link show type bridge` lists (default: [bridge]) */
  bridges?: string[];
  /** libvirt hosts: the finished job of each domain (`virsh domjobinfo --completed`) */
  completedJobs?: Map<string, SimJob>;
  arch: "x86_64" | "aarch64";
  virtFlag: "vmx" | "svm" | null;
  cpuModel: string;
  nrCpus: number;
  cpuMhz: number;
  totalMemoryMiB: number;
  dom0MemoryMiB: number;
  xenVersion: string;
  kernelRelease: string;
  bootedAt: number;
  nextDomid: number;
  domains: SimDomain[];
  mounts: SimMount[];
  /** directories that exist, with their permission bits (for stat and the image-directory check) */
  dirs: Record<string, SimDir>;
  txBytes: number;
  rxBytes: number;
}

export interface CommandRecord {
  host: string;
  at: number;
  argv: string[];
}
/** A command running on a host (`ps` lists them); it outlives the SSH channel that started it. */
export interface SimProcess {
  pid: number;
  host: string;
  argv: string[];
  startedAt: number;
  /** a process that outlives its command (xl's domain monitor): listed while this says it lives */
  lives?: () => boolean;
}

export class World extends EventEmitter {
  readonly hosts = new Map<string, SimHost>();
  readonly commandLog: CommandRecord[] = [];
  readonly processes = new Set<SimProcess>();
  private nextPid = 2000;
  /** >1 runs transfers faster than real time (tests); 1 = a 256 MiB domain takes ~2 s over 1 Gbit/s */
  timeScale = 1;
  /** link bandwidth in bytes/s between two hosts (key "a|b", sorted); default 1 Gbit/s */
  readonly links = new Map<string, number>();
  readonly activeTransfers = new Map<string, number>();
  readonly faults: SimFault[] = [];
  /** files by storage key + path (see fileKey); directories live in each host's `dirs` */
  readonly files = new Map<string, SimFile>();
  /** set by the cluster: whether a host's sshd answers, and a way to run a command on a host */
  isUp: (host: string) => boolean = () => true;
  remoteShell:
    | ((
        host: string,
        command: string,
        io: { out(t: string): void; err(t: string): void; signal: AbortSignal; stdin?: string },
      ) => Promise<number>)
    | null = null;

  /** hosts whose one NIC carries all their transfers (every link from or to them is one shared link) */
  readonly uplinks = new Set<string>();

  linkKey(a: string, b: string) {
    if (this.uplinks.has(a)) return `uplink:${a}`;
    if (this.uplinks.has(b)) return `uplink:${b}`;
    return [a, b].sort().join("|");
  }
  bandwidth(a: string, b: string): number {
    return this.links.get(this.linkKey(a, b)) ?? 125_000_000;
  }

  /** Finds a host by the name or address a command on another host would use. */
  resolve(nameOrIp: string): SimHost | undefined {
    return [...this.hosts.values()].find((h) => h.name === nameOrIp || h.hostname === nameOrIp || h.ip === nameOrIp);
  }

  takeFault<K extends SimFault["kind"]>(kind: K, domain: string): Extract<SimFault, { kind: K }> | undefined {
    const i = this.faults.findIndex((f) => f.kind === kind && (!f.domain || f.domain === domain));
    return i >= 0 ? (this.faults.splice(i, 1)[0] as Extract<SimFault, { kind: K }>) : undefined;
  }

  addHost(host: SimHost): SimHost {
    this.hosts.set(host.name, host);
    return host;
  }

  host(name: string): SimHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no simulated host ${name}`);
    return h;
  }

  addDomain(hostName: string, spec: Pick<SimDomain, "name" | "memoryMiB" | "vcpus"> & Partial<SimDomain>): SimDomain {
    const host = this.host(hostName);
    const dom: SimDomain = {
      uuid: randomUUID(),
      domid: host.nextDomid++,
      state: "blocked",
      type: "pv",
      kernel: "/boot/vmlinuz-2.6.16.38-xenU",
      disks: [],
      mac: randomMac(),
      startedAt: Date.now(),
      cpuSecondsBase: 0,
      load: 0.02,
      workload: { wwsMiB: Math.max(4, Math.round(spec.memoryMiB / 16)), dirtyMiBps: 20 },
      ...spec,
    };
    host.domains.push(dom);
    this.emit("change", hostName);
    return dom;
  }

  /** Free memory as Xen reports it (MiB): total − dom0 − every running domain's allocation. */
  freeMemoryMiB(host: SimHost): number {
    const used = host.domains.reduce((sum, d) => sum + (d.state === "shutoff" ? 0 : d.memoryMiB), 0);
    return Math.max(0, host.totalMemoryMiB - host.dom0MemoryMiB - used);
  }

  cpuSeconds(d: SimDomain, now = Date.now()): number {
    const running = d.state === "running" || d.state === "blocked";
    return d.cpuSecondsBase + (running ? ((now - d.startedAt) / 1000) * d.load * d.vcpus : 0);
  }

  /** Where a domain of this name runs now: every host that runs it (a shut-off definition does not run). */
  locate(name: string): string[] {
    return [...this.hosts.values()]
      .filter((h) => h.domains.some((d) => d.name === name && d.state !== "shutoff"))
      .map((h) => h.name);
  }

  /** The mount a path lies on (longest prefix), and the key of the file on its storage. */
  locatePath(hostName: string, path: string): { mount: SimMount; key: string } | null {
    if (!path.startsWith("/") || path.split("/").includes("..")) return null;
    const h = this.host(hostName);
    const mount = [...h.mounts]
      .sort((a, b) => b.path.length - a.path.length)
      .find((m) => m.path === "/" || path === m.path || path.startsWith(`${m.path}/`));
    if (!mount) return null;
    const storage = mount.storage ?? `${hostName}:${mount.path}`;
    return { mount, key: `${storage}\0${path.slice(mount.path === "/" ? 0 : mount.path.length)}` };
  }

  file(hostName: string, path: string): SimFile | undefined {
    const at = this.locatePath(hostName, path);
    return at ? this.files.get(at.key) : undefined;
  }

  /** Adds `kib` to the usage of a mount's storage, on every host that mounts it. */
  chargeSpace(mount: SimMount, kib: number) {
    const storage = mount.storage;
    for (const h of this.hosts.values())
      for (const m of h.mounts)
        if (m === mount || (storage && m.storage === storage)) m.usedKiB = Math.max(0, m.usedKiB + kib);
  }

  /** Runs `fn` as a process of `host`: listed by `ps` until it returns, whether or not its channel is still open. */
  async runProcess<T>(host: string, argv: string[], fn: () => Promise<T> | T): Promise<T> {
    const p: SimProcess = { pid: this.nextPid++, host, argv: [...argv], startedAt: Date.now() };
    this.processes.add(p);
    try {
      return await fn();
    } finally {
      this.processes.delete(p);
    }
  }

  /** The processes `ps` shows on a host now (a monitor whose domain is gone has exited). */
  processesOf(host: string): SimProcess[] {
    for (const p of this.processes) if (p.lives && !p.lives()) this.processes.delete(p);
    return [...this.processes].filter((p) => p.host === host).sort((a, b) => a.pid - b.pid);
  }

  /**
   * xl's monitor: after `xl create` / `xl restore` (without -e) xl forks a process that keeps the command's argv and
   * waits in the background for the domain's death (to act on on_reboot/on_crash; log /var/log/xen/xl-<name>.log).
   */
  addMonitor(host: string, argv: string[], domid: number) {
    this.processes.add({
      pid: this.nextPid++,
      host,
      argv: [...argv],
      startedAt: Date.now(),
      lives: () => this.hosts.get(host)?.domains.some((d) => d.domid === domid) ?? false,
    });
  }

  recordCommand(host: string, argv: string[]) {
    this.commandLog.push({ host, at: Date.now(), argv: [...argv] });
    if (this.commandLog.length > 20_000) this.commandLog.splice(0, 10_000);
  }
}

function randomMac(): string {
  const b = () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0");
  return `00:16:3e:${b()}:${b()}:${b()}`;
}
