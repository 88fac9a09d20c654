// argv of every virsh command Ferry runs (virsh(1); lib/toolstacks/REFERENCE.md §3). Built here only.
// Domain names and paths are single argv words; lib/ssh quotes each one for the remote shell.

export const list = () => ["virsh", "list", "--all"];
export const listRunning = () => ["virsh", "list", "--name"];
export const listActive = () => ["virsh", "list"];
export const dominfo = (dom: string) => ["virsh", "dominfo", dom];
export const domblklist = (dom: string) => ["virsh", "domblklist", "--details", dom];
export const domiflist = (dom: string) => ["virsh", "domiflist", dom];
export const domstate = (dom: string) => ["virsh", "domstate", "--reason", dom];
export const resume = (dom: string) => ["virsh", "resume", dom];
export const destroy = (dom: string) => ["virsh", "destroy", dom];
export const undefine = (dom: string) => ["virsh", "undefine", dom];
export const start = (dom: string) => ["virsh", "start", dom];
/** the guest's ACPI shutdown (libvirt's default mode): it may take a while, or be ignored by the guest */
export const shutdown = (dom: string) => ["virsh", "shutdown", dom];
export const reboot = (dom: string) => ["virsh", "reboot", dom];
export const nodeinfo = () => ["virsh", "nodeinfo"];
export const nodememstats = () => ["virsh", "nodememstats"];
export const version = () => ["virsh", "version"];
export const hostname = () => ["virsh", "hostname"];
export const capabilities = () => ["virsh", "capabilities"];
/** the domain's live definition (a running domain's: what QEMU runs it with) */
export const domainXml = (domain: string) => ["virsh", "dumpxml", domain];
/** `--completed --keep-completed`: read the finished job's stats without discarding them (the operator may want them too) */
export const domjobinfo = (dom: string, completed = false) => [
  "virsh",
  "domjobinfo",
  ...(completed ? ["--completed", "--keep-completed"] : []),
  dom,
];
export const domjobabort = (dom: string) => ["virsh", "domjobabort", dom];
/** QEMU's own migration status, through libvirt's monitor passthrough (what a QEMU stuck in "cancelling" shows) */
export const queryMigrate = (dom: string) => ["virsh", "qemu-monitor-command", dom, '{"execute":"query-migrate"}'];
/** the "continue" a QEMU that missed a cancel at the switchover waits for (./stuck-cancel.ts) */
export const continueCancelling = (dom: string) => [
  "virsh",
  "qemu-monitor-command",
  dom,
  '{"execute":"migrate-continue","arguments":{"state":"cancelling"}}',
];
export const setMaxDowntime = (dom: string, ms: number) => ["virsh", "migrate-setmaxdowntime", dom, String(ms)];
export const setSpeed = (dom: string, mibps: number) => ["virsh", "migrate-setspeed", dom, String(mibps)];
export const startPostcopy = (dom: string) => ["virsh", "migrate-postcopy", dom];
export const save = (dom: string, file: string) => ["virsh", "save", "--verbose", dom, file];
export const restore = (file: string) => ["virsh", "restore", file];
export const saveImageXml = (file: string) => ["virsh", "save-image-dumpxml", file];

export interface VirshMigrateOptions {
  /** MiB/s; 0 or absent = unlimited */
  bandwidthMiBps?: number;
  autoConverge?: boolean;
  /** allow switching to post-copy during the job (`virsh migrate-postcopy`) */
  postcopy?: boolean;
  /** the source's libvirtd talks to the target's directly (needs the source host's own SSH key for root) */
  p2p?: boolean;
  /** the disks (targets: "vda") QEMU copies to the target before the memory; the others are on shared storage */
  copyDisks?: string[];
  /** the copies are overlays on backing files the target sees: copy only the top layer (--copy-storage-inc) */
  copyTopOnly?: boolean;
}

/** `virsh migrate --live --verbose --persistent --undefinesource [...] dom qemu+ssh://target/system` */
export function migrate(dom: string, targetUri: string, o: VirshMigrateOptions = {}): string[] {
  return [
    "virsh",
    "migrate",
    "--live",
    "--verbose",
    "--persistent",
    "--undefinesource",
    ...(o.p2p ? ["--p2p"] : []),
    ...(o.autoConverge ? ["--auto-converge"] : []),
    ...(o.postcopy ? ["--postcopy"] : []),
    ...(o.bandwidthMiBps ? ["--bandwidth", String(o.bandwidthMiBps)] : []),
    ...(o.copyDisks?.length
      ? [o.copyTopOnly ? "--copy-storage-inc" : "--copy-storage-all", "--migrate-disks", o.copyDisks.join(",")]
      : []),
    dom,
    targetUri,
  ];
}

/**
 * `virsh migrate --offline --persistent --undefinesource dom uri`: only the definition moves — persistent on the target,
 * gone from the source (checked on the lab's libvirt 9.0: a restore on the target then takes it, by UUID).
 */
export const migrateDefinition = (dom: string, targetUri: string) => [
  "virsh",
  "migrate",
  "--offline",
  "--persistent",
  "--undefinesource",
  dom,
  targetUri,
];

/** libvirt's URI for the target as the source reaches it; IPv6 literals in brackets. */
export const targetUri = (address: string, user = "root") =>
  `qemu+ssh://${user}@${address.includes(":") ? `[${address}]` : address}/system`;

/** QEMU's dirty-rate measurement (libvirt ≥ 7.2): start it, then read `dirtyrate.*` from domstats. */
export const dirtyRateCalc = (dom: string, seconds: number) => [
  "virsh",
  "domdirtyrate-calc",
  dom,
  "--seconds",
  String(seconds),
];
export const domstatsDirtyRate = (dom: string) => ["virsh", "domstats", dom, "--dirtyrate"];
