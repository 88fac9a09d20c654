// `xl uptime` (xl_info.c: print_uptime): header "%-33s %4s %s", rows "%-33s %4d %s" where the uptime is
// "H:MM:SS", "1 day, H:MM:SS" or "N days, H:MM:SS" (hours padded to two columns).

const ROW = /^(.*?)\s+(\d+) (?:(\d+) days?, )?\s?(\d+):(\d\d):(\d\d)$/;

/** domid → uptime in seconds. Rows it cannot read are skipped: uptime is a nicety, not a fact we act on. */
export function parseXlUptime(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split("\n").slice(1)) {
    const m = ROW.exec(line.trimEnd());
    if (!m) continue;
    const [, , id, days, h, min, s] = m;
    out.set(Number(id), Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s));
  }
  return out;
}
