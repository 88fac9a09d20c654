import { AppError } from "../../errors";

// `xl info`: every line "%-23s: %s" (virt_caps "%-23s:%s" with a space before each flag); memory in MiB.

export function parseXlInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at <= 0) continue;
    info.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  // an older xl prints no xen_version: it is xen_major.xen_minor followed by xen_extra (".4", "-rc")
  if (!info.has("xen_version") && info.has("xen_major") && info.has("xen_minor"))
    info.set("xen_version", `${info.get("xen_major")}.${info.get("xen_minor")}${info.get("xen_extra") ?? ""}`);
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
