import type { ExecOptions, ExecResult } from "../ssh/types";
import type { ImageDirFacts } from "./linux/dir-stat";

/** What a driver needs from a host: run argv, get the exit code and output. */
export interface CommandRunner {
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

export type ToolstackName = "xl" | "virsh";
export const toolstackNames = ["xl", "virsh"] as const;

/** A domain's state in words; `migrating-in`/`migrating-out` come from xl's --incoming/--migratedaway names. */
export type DomainState =
  | "running" | "idle" | "paused" | "suspended" | "shutdown" | "crashed" | "dying"
  | "migrating-in" | "migrating-out" | "unknown";

export interface DomainInfo {
  /** the domain's name without xl's migration suffix */
  name: string;
  id: number;
  uuid: string | null;
  memoryMiB: number;
  vcpus: number;
  state: DomainState;
  /** the state as the toolstack printed it: xl's six letters ("-b----"), virsh's words ("shut off") */
  stateLetters: string;
  cpuSeconds: number;
  uptimeSeconds: number | null;
  /** backing storage from the domain's config (`xl list -l` disks' pdev_path) */
  disks: { path: string; vdev: string }[];
}

export interface HostFacts {
  hostname: string;
  toolstack: ToolstackName;
  hypervisor: string;
  hypervisorVersion: string;
  arch: string;
  /** CPU virtualization extensions: "vmx" (Intel VT-x) / "svm" (AMD-V); empty when none */
  virtExtensions: string[];
  /** Xen's virt_caps (hvm, pv, hap, …) */
  virtCaps: string[];
  nrCpus: number;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  /** global IPv4/IPv6 addresses (`ip -o addr`): how other hosts reach it for a migration */
  addresses: string[];
  /** the host's image directory and whether others can read it */
  imageDir: ImageDirFacts | null;
}

export interface HostSnapshot { facts: HostFacts; domains: DomainInfo[] }

export interface SnapshotOptions {
  withCpuFlags?: boolean;
  previous?: HostFacts;
  /** the domains the last refresh saw: a driver may keep their configuration (uuid, disks) instead of re-reading it */
  previousDomains?: DomainInfo[];
  /** re-read every domain's configuration even when nothing new appeared */
  full?: boolean;
  imageDir?: string;
}

export interface ToolstackDriver {
  readonly name: ToolstackName;
  /** Full picture of a host: facts (memory, version, arch, extensions) and every domain. */
  snapshot(runner: CommandRunner, opts?: SnapshotOptions): Promise<HostSnapshot>;
}
