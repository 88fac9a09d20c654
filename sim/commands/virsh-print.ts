import { createHash } from "node:crypto";
import type { CommandIO } from "../sh/run";
import type { SimDomain, SimHost, SimJob, World } from "../world";

// What the simulated `virsh` prints (./virsh.ts runs the commands): states, vsh tables, dominfo, domjobinfo, and the
// start of capabilities — libvirt 9.0's layouts as the lab captured them (lib/toolstacks/virsh/fixtures), in English
// or, for a host whose locale says so, German.

export function stateText(d: SimDomain): string {
  switch (d.state) {
    case "running":
    case "blocked":
      return "running";
    case "paused":
    case "suspended":
      return "paused";
    case "crashed":
      return "crashed";
    case "dying":
      return "in shutdown";
    case "shutoff":
      return "shut off";
  }
}

/** vsh-table.c: each cell " %s", padded with maxwidth − width + 2 spaces except after the last; Σ(maxwidth+3) dashes. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => ` ${c}${i < cells.length - 1 ? " ".repeat(widths[i] - c.length + 2) : ""}`).join("")}\n`;
  return `${line(header) + "-".repeat(widths.reduce((s, w) => s + w + 3, 0))}\n${rows.map(line).join("")}`;
}

/**
 * The locale virsh speaks (LC_ALL, then LC_MESSAGES, then LANG, as gettext reads them). In German, libvirt's
 * translations change the labels and a decimal comma the numbers: what a host installed in German prints unless
 * the command runs with LC_ALL=C. (The German words stand in for libvirt's de.po; what matters is that they are
 * not the English ones Ferry's parsers read.)
 */
export function germanOf(io: CommandIO): boolean {
  const v = io.vars ?? {};
  const locale = v.LC_ALL || v.LC_MESSAGES || v.LANG || "C";
  return /^de(_|$)/.test(locale);
}

const GERMAN: Record<string, string> = {
  Id: "Id",
  Name: "Name",
  State: "Status",
  "OS Type": "Betriebssystem-Typ",
  "CPU(s)": "CPU(s)",
  "CPU time": "CPU-Zeit",
  "Max memory": "Max. Speicher",
  "Used memory": "Verwendeter Speicher",
  Persistent: "Bleibend",
  Autostart: "Automatischer Start",
  "Managed save": "Gemanagtes Speichern",
  "Security model": "Sicherheitsmodell",
  "Security DOI": "Sicherheits-DOI",
  running: "laufend",
  "shut off": "ausgeschaltet",
  idle: "leerlauf",
  paused: "pausiert",
};
const say = (io: CommandIO, s: string) => (germanOf(io) ? (GERMAN[s] ?? s) : s);

export function list(_world: World, host: SimHost, args: string[], io: CommandIO): number {
  const all = args.includes("--all");
  const doms = host.domains
    .filter((d) => all || d.state !== "shutoff")
    .sort((a, b) => (a.state === "shutoff" ? 1 : 0) - (b.state === "shutoff" ? 1 : 0) || a.domid - b.domid);
  if (args.includes("--name")) {
    for (const d of doms) io.out(`${d.name}\n`);
    return 0;
  }
  io.out(
    table(
      ["Id", "Name", "State"].map((h) => say(io, h)),
      doms.map((d) => [d.state === "shutoff" ? "-" : String(d.domid), d.name, say(io, stateText(d))]),
    ),
  );
  return 0;
}

export function dominfo(world: World, d: SimDomain, io: CommandIO): number {
  const line = (k: string, v: string | number) => io.out(`${`${say(io, k)}:`.padEnd(15)} ${v}\n`);
  const active = d.state !== "shutoff";
  line("Id", active ? d.domid : "-");
  line("Name", d.name);
  line("UUID", d.uuid);
  line("OS Type", "hvm");
  line("State", say(io, stateText(d)));
  line("CPU(s)", d.vcpus);
  const cpu = world.cpuSeconds(d);
  const decimal = (s: string) => (germanOf(io) ? s.replace(".", ",") : s);
  if (active && cpu > 0) line("CPU time", `${decimal(cpu.toFixed(1))}s`);
  line("Max memory", `${d.memoryMiB * 1024} KiB`);
  line("Used memory", `${d.memoryMiB * 1024} KiB`);
  line("Persistent", d.persistent === false ? "no" : "yes");
  line("Autostart", "disable");
  line("Managed save", "no");
  line("Security model", "none");
  line("Security DOI", "0");
  return 0;
}

/** vshPrettyCapacity: 1024-based, three decimals. */
export function prettySize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(3)} ${units[i]}`;
}

/** `virsh domjobinfo` text: "%-17s %-12s", "%-17s %-12llu ms", "%-17s %-.3lf %s" (labels may overflow). */
export function formatJob(job: SimJob | undefined): string {
  const row = (label: string, value: string) => `${`${label}:`.padEnd(17)} ${value}\n`;
  if (!job) return row("Job type", "None".padEnd(12));
  const now = job.endedAt ?? Date.now();
  const elapsed = Math.max(0, Math.round(now - job.startedAt));
  const completed = job.type === "Completed";
  let out = row("Job type", job.type.padEnd(12)) + row("Operation", job.operation);
  out += row("Time elapsed", `${String(elapsed).padEnd(12)} ms`);
  if (completed) out += row("Time elapsed w/o network", `${String(Math.max(0, elapsed - 2)).padEnd(12)} ms`);
  const file = job.disk
    ? row("File processed", prettySize(job.disk.processed)) +
      row("File remaining", prettySize(job.disk.total - job.disk.processed)) +
      row("File total", prettySize(job.disk.total))
    : "";
  // the disks first: their figures only, as Data too (fixtures/domjobinfo-copy-storage-lab.txt)
  if (job.disk?.copying)
    return (
      out +
      row("Data processed", prettySize(job.disk.processed)) +
      row("Data remaining", prettySize(job.disk.total - job.disk.processed)) +
      row("Data total", prettySize(job.disk.total)) +
      file
    );
  for (const kind of ["Data", "Memory"]) {
    out +=
      row(`${kind} processed`, prettySize(job.processed)) +
      row(`${kind} remaining`, prettySize(job.remaining)) +
      row(`${kind} total`, prettySize(job.total));
  }
  if (job.bandwidthBps > 0) out += row("Memory bandwidth", `${prettySize(job.bandwidthBps)}/s`);
  out +=
    row("Dirty rate", `${String(job.dirtyPagesPerSec).padEnd(12)} pages/s`) +
    row("Page size", `${"4096".padEnd(12)} bytes`);
  out += row("Iteration", String(job.iteration).padEnd(12)) + row("Postcopy requests", "0".padEnd(12)) + file;
  const normal = Math.floor(job.processed / 4096);
  out +=
    row("Constant pages", String(Math.max(0, Math.floor(job.total / 4096) - normal)).padEnd(12)) +
    row("Normal pages", String(normal).padEnd(12)) +
    row("Normal data", prettySize(normal * 4096));
  out += completed
    ? row("Total downtime", `${String(job.downtimeMs ?? 0).padEnd(12)} ms`) +
      row("Downtime w/o network", `${String(Math.max(0, (job.downtimeMs ?? 0) - 2)).padEnd(12)} ms`)
    : row("Expected downtime", `${String(job.expectedDowntimeMs).padEnd(12)} ms`);
  out += row("Setup time", `${"1".padEnd(12)} ms`);
  if (job.throttlePercent) out += row("Auto converge throttle", String(job.throttlePercent).padEnd(13));
  return out;
}

/**
 * `virsh capabilities` as libvirt 9.0 prints it, shortened (fixtures/capabilities-lab.txt, capabilities-tcg-lab.txt):
 * the host's uuid and CPU, and the x86_64 guest's domain types — KVM beside QEMU only where the CPU has the extensions.
 */
export function capabilitiesXml(h: SimHost): string {
  const hex = createHash("sha1").update(`libvirt-host:${h.name}`).digest("hex");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  const kvm = h.virtFlag ? "      <domain type='kvm'/>\n" : "";
  return `<capabilities>\n\n  <host>\n    <uuid>${uuid}</uuid>\n    <cpu>\n      <arch>${h.arch}</arch>\n      <model>kvm64</model>\n      <vendor>${h.virtFlag === "svm" ? "AMD" : "Intel"}</vendor>\n    </cpu>\n  </host>\n\n  <guest>\n    <os_type>hvm</os_type>\n    <arch name='${h.arch}'>\n      <wordsize>64</wordsize>\n      <emulator>/usr/bin/qemu-system-${h.arch}</emulator>\n      <domain type='qemu'/>\n${kvm}    </arch>\n  </guest>\n\n</capabilities>\n\n`;
}

/**
 * `virsh dumpxml` as libvirt 9.0 prints it, shortened to its head (fixtures/dumpxml-tcg-lab.xml): the domain type —
 * 'kvm' where the host offers KVM, else 'qemu' (software emulation) — the id while it is active, name, uuid, memory.
 */
export function domainXml(h: SimHost, d: SimDomain, inactive: boolean): string {
  const id = d.state !== "shutoff" && !inactive ? ` id='${d.domid}'` : "";
  const kib = d.memoryMiB * 1024;
  return `<domain type='${h.virtFlag ? "kvm" : "qemu"}'${id}>\n  <name>${d.name}</name>\n  <uuid>${d.uuid}</uuid>\n  <memory unit='KiB'>${kib}</memory>\n  <currentMemory unit='KiB'>${kib}</currentMemory>\n  <vcpu placement='static'>${d.vcpus}</vcpu>\n</domain>\n`;
}
