import { AppError } from "../../errors";

// `xl info`: every line "%-23s: %s" (virt_caps "%-23s:%s" with a space before each flag); memory in MiB.

export function parseXlInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at <= 0) continue;
    info.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  for (const key of ["host", "machine", "total_memory", "free_memory", "xen_version", "nr_cpus"]) {
    if (!info.has(key))
      throw new AppError("toolstack_parse_error", `\`xl info\` did not report ${key}; is this a Xen dom0?`, {
        text: text.slice(0, 500),
      });
  }
  for (const key of ["total_memory", "free_memory", "nr_cpus"]) {
    if (!/^\d+$/.test(info.get(key)!))
      throw new AppError("toolstack_parse_error", `\`xl info\` reported ${key} as "${info.get(key)}", not a number.`);
  }
  return info;
}

/** Global addresses from `ip -o addr` ("3: xenbr0    inet 192.168.1.68/24 brd … scope global xenbr0\ …"). */
export function parseIpAddr(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\binet6? ([0-9a-fA-F.:]+)\/\d+ .*?scope global/g)) out.push(m[1]);
  return out;
}

/** vmx / svm from /proc/cpuinfo's flags lines (Xen's dom0 may hide them; virt_caps then tells). */
export function parseCpuVirtFlags(cpuinfo: string): string[] {
  const found = new Set<string>();
  for (const line of cpuinfo.split("\n")) {
    if (!/^flags\s*:/.test(line)) continue;
    for (const flag of line
      .slice(line.indexOf(":") + 1)
      .trim()
      .split(/\s+/))
      if (flag === "vmx" || flag === "svm") found.add(flag);
  }
  return [...found].sort();
}
