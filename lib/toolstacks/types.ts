import type { AppError, ErrorCode } from "../errors";
import type { ExecOptions, ExecResult } from "../ssh/types";
import type { ImageDirFacts } from "./linux/dir-stat";
import type { DomainLocation, JobEventInput, JobPhase, MigrationOutcome } from "./events";

/** What a driver needs from a host: run argv, get the exit code and output. */
export interface CommandRunner {
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a script of whole sh lines in the host's long-lived shell (lib/ssh/remote-shell.ts), where the runner has
   * one; every command in it reads its stdin from /dev/null. Without it a script runs as `sh -c`.
   */
  execScript?(script: string, opts?: Pick<ExecOptions, "signal" | "timeoutMs">): Promise<ExecResult>;
}

/** The toolstacks Ferry drives; every Record<ToolstackName, …> (drivers, simulated commands) must then have each. */
export const toolstackNames = ["xl", "virsh", "xm"] as const;
export type ToolstackName = (typeof toolstackNames)[number];

/** A domain's state in words; `migrating-in`/`migrating-out` come from xl's --incoming/--migratedaway names. */
export type DomainState =
  | "running"
  | "idle"
  | "paused"
  | "suspended"
  | "shutdown"
  | "crashed"
  | "dying"
  | "migrating-in"
  | "migrating-out"
  | "unknown";

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
  /** the bridges its network interfaces are on ("network:default" for a libvirt network); absent: not known */
  bridges?: string[];
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
  /**
   * What the host says it is, independent of the name and address it was registered under: libvirt's host uuid,
   * or dom0's /etc/machine-id for Xen. Two registrations with the same identity are one machine.
   */
  identity: string | null;
  /** the networks of its global IPv4 addresses ("192.168.1.0/24") and its bridges, read with the addresses */
  subnets?: string[];
  bridges?: string[];
  /** QEMU can run guests here only by software emulation (libvirt offers no KVM domain): virsh hosts only */
  emulatedOnly?: boolean;
}

export interface HostSnapshot {
  facts: HostFacts;
  domains: DomainInfo[];
}

export interface SnapshotOptions {
  withCpuFlags?: boolean;
  previous?: HostFacts;
  /** the domains the last refresh saw: a driver may keep their configuration (uuid, disks) instead of re-reading it */
  previousDomains?: DomainInfo[];
  /** when the previous snapshot was taken (ISO): a driver may carry a figure forward by the time since */
  previousAt?: string;
  /** re-read every domain's configuration even when nothing new appeared */
  full?: boolean;
  imageDir?: string;
}

/** What the operator may tune; only a toolstack with `capabilities.migrationOptions` honours these. */
export interface MigrationOptions {
  bandwidthMiBps?: number;
  maxDowntimeMs?: number;
  autoConverge?: boolean;
  postcopy?: boolean;
  p2p?: boolean;
  /** the engine's stall policy (lib/jobs/stall.ts); drivers ignore them */
  onStall?: "abort" | "postcopy";
  stallAfterSec?: number;
}

/** A disk a live migration copies to the same path on the target (lib/checks/storage.ts decides which). */
export interface DiskCopy {
  path: string;
  vdev: string;
  format: string;
  virtualBytes: number;
  allocatedBytes: number;
  /** the file it is layered on, which the target sees at the same path: the copy is layered on it too */
  backing?: { path: string; format: string };
}

/** A change to a running migration (capabilities.tuneWhileRunning). */
export type TuneChange = { maxDowntimeMs: number } | { bandwidthMiBps: number } | { postcopy: true };

export interface MigrationContext {
  source: CommandRunner;
  target: CommandRunner;
  sourceName: string;
  targetName: string;
  domain: string;
  /** the target's address as the source reaches it */
  targetAddress: string;
  pollMs: number;
  cancel: AbortSignal;
  options?: MigrationOptions;
  /** the disks the target does not see, copied with the memory (only with capabilities.liveDiskCopy) */
  copyDisks?: DiskCopy[];
  /**
   * How long to keep asking a host that cannot answer (its libvirtd, sshd or link down) before saying "could not
   * ask": a daemon that restarts is waited for, not concluded about (the engine's reconnectMs; default 2 min)
   */
  silentHostMs?: number;
  /** settles once the event is stored (a caller that must not act before its event is on disk awaits it) */
  emit(e: JobEventInput): void | Promise<void>;
  phase(): JobPhase;
}

export type LocateContext = Pick<
  MigrationContext,
  "source" | "target" | "sourceName" | "targetName" | "domain" | "silentHostMs"
>;

/** What a save file's first bytes say: the domain, which toolstack can restore it, and (if named) the architecture. */
export interface ImageHeader {
  name: string;
  uuid: string | null;
  memoryMiB: number;
  format: ToolstackName;
  arch: string | null;
}

/** Save and restore on one toolstack: argv, failure texts, and what the host says about a save or restore. */
export interface SaveRestoreOps {
  save(domain: string, file: string): string[];
  restore(file: string): string[];
  error(stderr: string, what: "save" | "restore"): { code: ErrorCode; message: string };
  /** the domain if it is active on the host (running, paused…), else null */
  active(runner: CommandRunner, domain: string): Promise<{ id: number | null } | null>;
  /** bytes written so far by a running save, where the toolstack can tell (progress without newlines) */
  saveProgress?(runner: CommandRunner, domain: string): Promise<number | null>;
  /** a line of the save's or restore's output as Ferry shows it (progress that has no newline stripped) */
  outputLine(raw: string): string;
  /** a progress line of the save's own output → pages done, where the toolstack prints them */
  progressOfLine?(line: string): { done: number; total: number } | null;
  consoleHint(domain: string): string;
  /**
   * The domain's state on the host, "absent" when the host does not list it, "defined" for a domain that is
   * defined but not running. Throws when the host cannot be asked: "could not ask" is never "absent".
   */
  state(runner: CommandRunner, domain: string): Promise<DomainState | "absent" | "defined">;
  /** whether the save of `domain` into `file` is still going on the host (its process, or the toolstack's job) */
  saving(runner: CommandRunner, domain: string, file: string): Promise<boolean>;
  /** whether a restore of `file` is still going on the host */
  restoring(runner: CommandRunner, file: string): Promise<boolean>;
  /** the image in this toolstack's save format, from the file's first bytes (base64); null when it is not one */
  parseHeader(base64: string): ImageHeader | null;
  /**
   * A move's hand-over of the domain's definition, run on the source once the domain is saved and still defined there
   * (shut off): argv that defines it on the target and undefines it on the source, as a live migration's
   * --persistent --undefinesource does (libvirt: an offline migration). Absent where the toolstack cannot move one.
   */
  moveDefinition?(domain: string, targetAddress: string): string[];
  /** what a move leaves on the source that the toolstack starts the domain from, in words, where it keeps no definition */
  definitionHint?(domain: string, sourceName: string): string;
}

/** What a toolstack can do, read by the engine, the checks, the forecast and the UI instead of its name. */
export interface ToolstackCapabilities {
  /** launch options for a live migration: bandwidth limit, maximum downtime, auto-converge, post-copy (QEMU) */
  migrationOptions: boolean;
  /** a running migration can be changed: maximum downtime, bandwidth, a switch to post-copy */
  tuneWhileRunning: boolean;
  /** the toolstack reports its own pre-copy rounds, dirty rate and downtime; otherwise Ferry measures from outside */
  reportsRounds: boolean;
  /** a domain can be defined but not running (it shows "shut off" and uses no memory) */
  definedDomains: boolean;
  /** the toolstack lists every disk of a domain: an empty list means the domain has none */
  completeDiskList: boolean;
  /**
   * a live migration can copy the disks the target does not see, while the guest runs (libvirt's --copy-storage-all:
   * QEMU mirrors each disk over NBD, then the memory follows)
   */
  liveDiskCopy: boolean;
  /**
   * the pre-copy policy the forecast models: Xen's (≤ 5 live rounds, then stop), legacy libxc's (xend: ≤ 29 rounds
   * or 3× memory, then stop) or QEMU's (until the rest fits the maximum downtime)
   */
  precopyPolicy: "xen" | "xen-legacy" | "qemu";
  /** the toolstack reports the downtime itself (QEMU); otherwise Ferry measures it by fast polls of both hosts */
  reportsDowntime: boolean;
  /** who reports the rounds, for people ("QEMU, from virsh domjobinfo"), with reportsRounds */
  roundsSource?: string;
  /** the migration stream goes over SSH from the source to the target (else the driver's preflight checks the path) */
  migratesOverSsh: boolean;
  /** the host's memory as the toolstack reports it: Xen's (dom0 apart, the rest free for guests) or the whole node's */
  memoryModel: "xen" | "node";
}

/** A pre-flight check a toolstack adds to the common ones (the same shape as lib/checks' Check). */
export interface DriverCheck {
  id: string;
  label: string;
  status: "ok" | "warn" | "fail";
  reason: string;
}

export interface PreflightContext {
  source: CommandRunner;
  target: CommandRunner;
  sourceName: string;
  targetName: string;
  /** the target's address as the source will reach it */
  targetAddress: string;
  /** what the source is known as: its addresses and names (registered name, hostname) */
  sourceAddresses: string[];
  sourceNames: string[];
}

/** What Ferry can ask of a domain's power, where the toolstack allows it (ToolstackDriver.power). */
export const powerActions = ["start", "shutdown", "reboot"] as const;
export type PowerAction = (typeof powerActions)[number];

/** The one seam between a toolstack and the rest of Ferry: everything Ferry knows about xl or virsh is behind it. */
export interface ToolstackDriver {
  readonly name: ToolstackName;
  /** for people: the command and what it drives */
  readonly label: string;
  readonly capabilities: ToolstackCapabilities;
  /** the command whose "not found" (exit 127) means the host does not have this toolstack */
  readonly probeCommand: string;
  /** Full picture of a host: facts (memory, version, arch, extensions) and every domain. */
  snapshot(runner: CommandRunner, opts?: SnapshotOptions): Promise<HostSnapshot>;
  /** Live-migrates a domain; emits phases, samples and rounds; the outcome says where the domain is. */
  migrate(ctx: MigrationContext): Promise<MigrationOutcome>;
  /** Where the domain is now, asked of both hosts (after a lost session or a restart). */
  locate(ctx: LocateContext, patienceMs: number): Promise<DomainLocation>;
  /** argv that changes a running migration (only with capabilities.tuneWhileRunning) */
  tune?(domain: string, change: TuneChange): string[];
  /** a failed command as an error a person understands */
  error(argv: readonly string[], r: ExecResult): AppError;
  /** how the memory travels, for the migrate dialog */
  transport(sourceName: string, targetAddress: string): string;
  /** checks of the toolstack's own preconditions for a live migration (xend's relocation service) */
  preflight?(ctx: PreflightContext): Promise<DriverCheck[]>;
  /**
   * Why a migration option (at launch, or a change while it runs) cannot be used from this source, in a sentence the
   * operator reads; null when it can. Where a toolstack's hypervisor is known to break with an option.
   */
  refusedOption?(sourceName: string, emulated: boolean, options: { bandwidthMiBps?: number }): string | null;
  /** options this source must migrate with instead of those chosen (a safer maximum downtime), and why; null: as chosen */
  saferOptions?(
    sourceName: string,
    emulated: boolean,
    options: MigrationOptions,
  ): { options: MigrationOptions; reason: string } | null;
  /** whether the hypervisor runs this guest by software emulation (what refusedOption and saferOptions are given) */
  guestEmulated?(runner: CommandRunner, domain: string, facts: HostFacts | null): Promise<boolean>;
  /**
   * argv that starts a defined, shut-off domain, or asks a running one to shut down or reboot (the guest's own
   * ACPI shutdown, not a pulled plug) — only where the toolstack keeps domains defined while they are off
   * (libvirt): elsewhere a shut-down domain would leave every list Ferry reads
   */
  power?: Record<PowerAction, (domain: string) => string[]>;
  /** the guest's dirty rate (bytes/s) measured on the source now, where the toolstack can */
  measureDirtyBps?(runner: CommandRunner, hostName: string, domain: string): Promise<number | null>;
  readonly files: SaveRestoreOps;
}
