import { AppError } from "../../errors";
import type { DomainState } from "../types";

// Pure parsers of virsh's text (lib/toolstacks/REFERENCE.md §3, libvirt 8–9), tested on the
// reference samples and on real output captured in the lab (fixtures/*-lab.txt).

export interface VirshListRow {
  id: number | null;
  name: string;
  state: string;
}

/** The states virsh prints (virDomainState's words), which end a `virsh list` row. */
const LIST_STATES = "running|idle|blocked|paused|in shutdown|shut off|crashed|pmsuspended|no state|dying";
const LIST_ROW = new RegExp(`^\\s*(\\d+|-)\\s+(\\S.*?)\\s+(${LIST_STATES})\\s*$`);

/**
 * `virsh list --all`: header, dash line, rows. libvirt ≥ 1.x sizes the columns to the content; older ones print
 * " %-5s %-30s %s", so a 5-digit id or a name of 30+ characters leaves one space: rows are read as id, name, and
 * the state word at the end. Lines before the header (a warning) are skipped.
 */
export function parseVirshList(text: string): VirshListRow[] {
  const all = text.split("\n").filter((l) => l.trim() !== "");
  const head = all.findIndex((l) => /^\s*Id\s+Name\s+State\s*$/.test(l));
  const lines = head < 0 ? all : all.slice(head);
  if (lines.length < 2 || head < 0 || !/^-+$/.test(lines[1].trim())) {
    throw new AppError(
      "toolstack_parse_error",
      "`virsh list` printed no table header; is libvirt running on this host?",
      { text: text.slice(0, 500) },
    );
  }
  return lines.slice(2).map((line, i) => {
    const m = LIST_ROW.exec(line);
    if (!m) throw new AppError("toolstack_parse_error", `Cannot read row ${i + 1} of \`virsh list\`.`, { line });
    return { id: m[1] === "-" ? null : Number(m[1]), name: m[2], state: m[3] };
  });
}

/** "label: value" lines (dominfo, nodeinfo, domjobinfo); values keep their units, trailing spaces go. */
export function parseLabels(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last = "";
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s+(.*?)\s*$/.exec(line) ?? /^([^:]+):\s*$/.exec(line);
    if (m) {
      last = m[1].trim();
      if (!out.has(last)) out.set(last, (m[2] ?? "").trim());
    } else if (line.trim() && last) out.set(last, `${out.get(last)}\n${line.trim()}`);
  }
  return out;
}

export const virshStates: Record<string, DomainState> = {
  running: "running",
  idle: "idle",
  paused: "paused",
  "in shutdown": "shutdown",
  "shut off": "shutdown",
  crashed: "crashed",
  pmsuspended: "suspended",
  "no state": "unknown",
  // older libvirt (and libxl domains) report a vCPU waiting for work as "blocked": it is running, idle
  blocked: "idle",
  saved: "shutdown",
};

/** KiB as virsh prints it ("131072 KiB") → MiB. */
export function kibToMiB(v: string | undefined): number {
  const m = /^(\d+)\s*KiB$/.exec(v ?? "");
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export interface DomInfo {
  id: number | null;
  name: string;
  uuid: string;
  state: DomainState;
  stateText: string;
  vcpus: number;
  cpuSeconds: number;
  maxMemoryMiB: number;
  usedMemoryMiB: number;
  persistent: boolean;
}

export function parseDominfo(text: string): DomInfo {
  const m = parseLabels(text);
  const need = (k: string) => {
    const v = m.get(k);
    if (v === undefined)
      throw new AppError("toolstack_parse_error", `\`virsh dominfo\` printed no "${k}:" line.`, {
        text: text.slice(0, 500),
      });
    return v;
  };
  const state = need("State");
  return {
    id: need("Id") === "-" ? null : Number(need("Id")),
    name: need("Name"),
    uuid: need("UUID"),
    state: virshStates[state] ?? "unknown",
    stateText: state,
    vcpus: Number(need("CPU(s)")),
    cpuSeconds: decimal((m.get("CPU time") ?? "0s").replace(/s$/, "")),
    // "Max memory: no limit" (a domain without a ceiling): what it uses is its size
    maxMemoryMiB: m.get("Max memory") === "no limit" ? kibToMiB(m.get("Used memory")) : kibToMiB(m.get("Max memory")),
    usedMemoryMiB: kibToMiB(m.get("Used memory")),
    persistent: m.get("Persistent") === "yes",
  };
}

export interface NodeInfo {
  arch: string;
  cpus: number;
  memoryMiB: number;
}
export function parseNodeinfo(text: string): NodeInfo {
  const m = parseLabels(text);
  const arch = m.get("CPU model");
  if (!arch)
    throw new AppError("toolstack_parse_error", "`virsh nodeinfo` printed no CPU model.", { text: text.slice(0, 500) });
  return { arch, cpus: Number(m.get("CPU(s)")), memoryMiB: kibToMiB(m.get("Memory size")) };
}

/** `virsh nodememstats`: "total  :             24684096 KiB" → MiB per field. */
export function parseNodeMemStats(text: string): { totalMiB: number; freeMiB: number } {
  const v = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^\s*(\w+)\s*:\s*(\d+)\s*KiB\s*$/.exec(line);
    if (m) v.set(m[1], Number(m[2]));
  }
  if (!v.has("total") || !v.has("free"))
    throw new AppError("toolstack_parse_error", "`virsh nodememstats` printed no total/free.", {
      text: text.slice(0, 500),
    });
  return { totalMiB: Math.round(v.get("total")! / 1024), freeMiB: Math.round(v.get("free")! / 1024) };
}

/** `virsh version`: "Running hypervisor: QEMU 7.2.22" and "Using library: libvirt 9.0.0". */
export function parseVirshVersion(text: string): { hypervisor: string; hypervisorVersion: string; libvirt: string } {
  const m = parseLabels(text);
  const [hv, ...ver] = (m.get("Running hypervisor") ?? "").split(" ");
  const lib = (m.get("Using library") ?? "").replace(/^libvirt\s*/, "");
  if (!hv)
    throw new AppError("toolstack_parse_error", "`virsh version` names no running hypervisor.", {
      text: text.slice(0, 500),
    });
  return { hypervisor: hv, hypervisorVersion: ver.join(" "), libvirt: lib };
}

/** vshPrettyCapacity: "113.572 MiB", "0.000 B", "16.016 MiB/s" → bytes (or bytes/s). */
/** A decimal as a host prints it: "18.2", or "18,2" where a locale's decimal comma slipped through. */
export const decimal = (v: string) => Number(v.replace(",", "."));

export function parseSize(v: string | undefined): number | null {
  const m = /^(\d+(?:[.,]\d+)?)\s*(B|KiB|MiB|GiB|TiB|PiB|EiB)(\/s)?$/.exec(v ?? "");
  if (!m) return null;
  const pow = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"].indexOf(m[2]);
  return Math.round(decimal(m[1]) * 1024 ** pow);
}

const num = (v: string | undefined, unit = "") => {
  const m = new RegExp(`^(\\d+)\\s*${unit}$`).exec(v ?? "");
  return m ? Number(m[1]) : null;
};

export interface JobInfo {
  type: "None" | "Bounded" | "Unbounded" | "Completed" | "Failed" | "Cancelled";
  operation: string | null;
  elapsedMs: number | null;
  memoryProcessed: number | null;
  memoryRemaining: number | null;
  memoryTotal: number | null;
  bandwidthBps: number | null;
  dirtyPagesPerSec: number | null;
  pageSize: number | null;
  iteration: number | null;
  expectedDowntimeMs: number | null;
  totalDowntimeMs: number | null;
  autoConvergeThrottle: number | null;
  postcopyRequests: number | null;
  /** zero pages QEMU found and sent as a marker only ("Constant pages") */
  constantPages: number | null;
  /** disks copied by a storage migration (--copy-storage-all) or a backup: libvirt's "File processed/remaining/total" */
  diskProcessed: number | null;
  diskRemaining: number | null;
  diskTotal: number | null;
  errorMessage: string | null;
}

/** `virsh domjobinfo [--completed]`: labels overflow and values keep trailing spaces; unknown labels are ignored. */
export function parseDomjobinfo(text: string): JobInfo {
  const m = parseLabels(text);
  const type = m.get("Job type");
  if (!type || !["None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"].includes(type)) {
    throw new AppError("toolstack_parse_error", "`virsh domjobinfo` printed no job type.", {
      text: text.slice(0, 500),
    });
  }
  return {
    type: type as JobInfo["type"],
    operation: m.get("Operation") ?? null,
    elapsedMs: num(m.get("Time elapsed"), "ms"),
    memoryProcessed: parseSize(m.get("Memory processed")),
    memoryRemaining: parseSize(m.get("Memory remaining")),
    memoryTotal: parseSize(m.get("Memory total")),
    bandwidthBps: parseSize(m.get("Memory bandwidth")),
    dirtyPagesPerSec: num(m.get("Dirty rate"), "pages/s"),
    pageSize: num(m.get("Page size"), "bytes"),
    iteration: num(m.get("Iteration")),
    constantPages: num(m.get("Constant pages")),
    diskProcessed: parseSize(m.get("File processed")),
    diskRemaining: parseSize(m.get("File remaining")),
    diskTotal: parseSize(m.get("File total")),
    expectedDowntimeMs: num(m.get("Expected downtime"), "ms"),
    totalDowntimeMs: num(m.get("Total downtime"), "ms"),
    autoConvergeThrottle: num(m.get("Auto converge throttle")),
    postcopyRequests: num(m.get("Postcopy requests")),
    errorMessage: m.get("Error message") ?? null,
  };
}

/**
 * virsh --verbose progress on stderr: "\rMigration: [ 37 %]" chunks (no newline) → last percent. libvirt ≥ 8.x
 * prints two decimals ("[37.00 %]", the lab's 9.0 rounds to "[100 %]" at the end): both are read.
 */
export function lastProgress(chunk: string): { label: string; percent: number } | null {
  const all = [...chunk.matchAll(/(\w+): \[\s*(\d+(?:[.,]\d+)?) ?%\]/g)];
  const m = all.at(-1);
  return m ? { label: m[1], percent: decimal(m[2]) } : null;
}

/** The `error: …` lines of virsh's stderr, progress stripped. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split(/[\r\n]/)
    .map((l) => l.replace(/^.*?(?=error: )/, ""))
    .filter((l) => l.startsWith("error: "))
    .map((l) => l.slice(7).trim());
}

/** `virsh domstats dom --dirtyrate`: calc_status 1 = measuring, 2 = measured; megabytes_per_second once measured. */
export function parseDirtyRate(text: string): { status: number | null; mbps: number | null } {
  const v = (k: string) => {
    const m = new RegExp(`^\\s*dirtyrate\\.${k}=(\\d+)\\s*$`, "m").exec(text);
    return m ? Number(m[1]) : null;
  };
  return { status: v("calc_status"), mbps: v("megabytes_per_second") };
}

/** `virsh capabilities`: the host's uuid (<host><uuid>…</uuid>), the first uuid in the document. */
export function parseHostUuid(xml: string): string | null {
  return /<host>\s*<uuid>([0-9a-fA-F-]{36})<\/uuid>/.exec(xml)?.[1] ?? null;
}
