// Parsers for xm's and xend's texts (lib/toolstacks/REFERENCE.md §2; Xen 4.1–4.4's tools/python/xen/xm/main.py,
// xend/XendCheckpoint.py, xend-config.sxp and libxc's xc_domain_save.c). Each fixture names its source.

/** An S-expression as xend writes it: `(name value …)`, strings bare or quoted with ' or ". */
export type Sxp = string | Sxp[];

/** Parses every top-level S-expression of a text (xm list --long, xend-config.sxp); `#` starts a comment. */
export function parseSxp(text: string): Sxp[] {
  const out: Sxp[] = [];
  const stack: Sxp[][] = [];
  let i = 0;
  const push = (v: Sxp) => {
    if (stack.length) stack[stack.length - 1].push(v);
    else out.push(v);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "#" && stack.length === 0) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "(") {
      stack.push([]);
      i++;
    } else if (c === ")") {
      const done = stack.pop();
      if (done) push(done);
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === "'" || c === '"') {
      let s = "";
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
        } else s += text[i++];
      }
      i++;
      push(s);
    } else {
      let s = "";
      while (i < text.length && !/[\s()]/.test(text[i])) s += text[i++];
      push(s);
    }
  }
  return out;
}

/** The first child `(key …)` of an S-expression list, or undefined. */
export function child(e: Sxp | undefined, key: string): Sxp[] | undefined {
  if (!Array.isArray(e)) return undefined;
  return e.find((x): x is Sxp[] => Array.isArray(x) && x[0] === key);
}
/** `(key value)` → value */
export function value(e: Sxp | undefined, key: string): string | undefined {
  const c = child(e, key);
  return c && typeof c[1] === "string" ? c[1] : undefined;
}

export interface XmListRow {
  name: string;
  /** null for a managed domain that is not running (xm prints no ID) */
  id: number | null;
  memoryMiB: number;
  vcpus: number;
  stateLetters: string;
  cpuSeconds: number;
}

/**
 * `xm list` (xm/main.py: xm_brief_list): header `'%-40s %5s %5s %5s %10s %9s'` (spaces, no tabs), rows
 * `"%(name)-40s %(domid)5s %(mem)5d %(vcpus)5d %(state)10s %(cpu_time)8.1f"`; an inactive managed domain has an
 * empty ID. Fields are taken from the right (a name over 40 characters pushes the columns). Xen 3.0's xm said
 * "Mem(MiB)"; Oracle VM's xm pads wider; any run of spaces separates (real captures: xm/fixtures/*.source).
 */
export function parseXmList(text: string): XmListRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const h = lines.findIndex((l) => /^Name\s+ID\s+Mem(?:\(MiB\))?\s+VCPUs\s+State\s+Time\(s\)/.test(l));
  if (h < 0) throw new Error("`xm list` printed no table header; is xend running on this host?");
  return lines.slice(h + 1).map((line) => {
    const m = /^(\S.*?)\s+(?:(\d+)\s+)?(\d+)\s+(\d+)\s+([rbpscd-]{6})\s+(\d+\.\d)$/.exec(line.trimEnd());
    if (!m) throw new Error(`\`xm list\` printed a row Ferry cannot read: "${line.slice(0, 120)}"`);
    return {
      name: m[1],
      id: m[2] === undefined ? null : Number(m[2]),
      memoryMiB: Number(m[3]),
      vcpus: Number(m[4]),
      stateLetters: m[5],
      cpuSeconds: Number(m[6]),
    };
  });
}

/** `xm info`: `"%-23s:" % key, value` per line (after xm's deprecation warning, which goes to stderr). */
export function parseXmInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([a-z_0-9]+)\s*:\s?(.*)$/.exec(line);
    if (m) info.set(m[1], m[2].trim());
  }
  for (const key of ["host", "machine", "total_memory", "free_memory", "xen_major", "xen_minor", "nr_cpus"])
    if (!info.has(key)) throw new Error(`\`xm info\` did not report ${key}; is xend running on this host?`);
  return info;
}

/** Xen's version as xm info gives it: xen_major.xen_minor + xen_extra (".6", "-rc1"). */
export const xmVersion = (info: Map<string, string>) =>
  `${info.get("xen_major")}.${info.get("xen_minor")}${info.get("xen_extra") ?? ""}`;

export interface XmDomainConfig {
  domid: number | null;
  name: string;
  uuid: string | null;
  memoryMiB: number;
  disks: { path: string; vdev: string }[];
  /** the bridges its network interfaces are on */
  bridges: string[];
}

/** `xm list --long`: one `(domain …)` S-expression per domain (XendDomainInfo.sxpr). */
export function parseXmListLong(text: string): XmDomainConfig[] {
  return parseSxp(text)
    .filter((e): e is Sxp[] => Array.isArray(e) && e[0] === "domain")
    .map((d) => {
      const devices = d.filter((x): x is Sxp[] => Array.isArray(x) && x[0] === "device");
      const disks: { path: string; vdev: string }[] = [];
      const bridges: string[] = [];
      for (const dev of devices) {
        const vbd = child(dev, "vbd") ?? child(dev, "tap") ?? child(dev, "tap2");
        if (vbd) {
          const uname = value(vbd, "uname") ?? "";
          // file:/path, phy:/dev/x, tap:aio:/path → the path
          const path = uname.replace(/^(?:tap2?:)?(?:file|phy|aio|qcow2?|vhd):/, "");
          disks.push({ path, vdev: (value(vbd, "dev") ?? "").replace(/:.*$/, "") });
        }
        const vif = child(dev, "vif");
        const bridge = vif && value(vif, "bridge");
        if (bridge) bridges.push(bridge);
      }
      const domid = value(d, "domid");
      return {
        domid: domid === undefined || domid === "" ? null : Number(domid),
        name: value(d, "name") ?? "",
        uuid: value(d, "uuid") ?? null,
        memoryMiB: Number(value(d, "memory") ?? 0),
        disks,
        bridges,
      };
    });
}

export interface RelocationConfig {
  server: boolean;
  port: number;
  address: string;
  /** the regular expressions of xend-relocation-hosts-allow; empty: every host is allowed */
  hostsAllow: string[];
  sslServer: boolean;
  sslPort: number;
}

/** /etc/xen/xend-config.sxp: the relocation settings, with xend's defaults (XendOptions.py) where unset. */
export function parseXendConfig(text: string): RelocationConfig {
  const top = parseSxp(text).filter((e): e is Sxp[] => Array.isArray(e));
  const get = (k: string) => {
    const e = top.filter((x) => x[0] === k).at(-1);
    return e && typeof e[1] === "string" ? e[1] : undefined;
  };
  const yes = (v: string | undefined, d: boolean) => (v === undefined ? d : /^(yes|y|true|1)$/i.test(v));
  return {
    server: yes(get("xend-relocation-server"), false),
    port: Number(get("xend-relocation-port") ?? 8002),
    address: get("xend-relocation-address") ?? "",
    hostsAllow: (get("xend-relocation-hosts-allow") ?? "").split(/\s+/).filter(Boolean),
    sslServer: yes(get("xend-relocation-ssl-server"), false),
    sslPort: Number(get("xend-relocation-ssl-port") ?? 8003),
  };
}

/**
 * What xend's relocation server decides for a connection (xend/server/relocate.py → connection.hostAllowed): each
 * pattern is matched (Python re.match: anchored at the start) against the peer's address and its name; an
 * empty list admits everyone.
 */
export function hostsAllowMatch(
  patterns: string[],
  peer: { address: string; names: string[] },
): { allowed: boolean; pattern: string | null; matched: string | null; invalid: string[] } {
  if (patterns.length === 0) return { allowed: true, pattern: null, matched: null, invalid: [] };
  const invalid: string[] = [];
  for (const p of patterns) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${p})`);
    } catch {
      invalid.push(p);
      continue;
    }
    for (const candidate of [peer.address, ...peer.names])
      if (re.test(candidate)) return { allowed: true, pattern: p, matched: candidate, invalid };
  }
  return { allowed: false, pattern: null, matched: null, invalid };
}

/** One pre-copy round as libxc's save code reports it through xend (XendCheckpoint logs xc_save's stderr). */
export interface XendRound {
  round: number;
  /** pages sent in this round */
  sent: number;
  /** pages skipped (dirtied again during the round: sent in a later one) */
  skipped: number;
  /** the round's last progress percentage */
  percent: number | null;
  deltaMs: number | null;
  /** Mb/s as libxc prints them (megabits) */
  sentMbps: number | null;
  dirtiedMbps: number | null;
  /** pages dirtied during the round: what the next round has to send */
  dirtyPages: number | null;
  last: boolean;
}

export interface XendSaveLog {
  rounds: XendRound[];
  suspended: boolean;
  totalPages: number | null;
  factor: number | null;
  /** Save exit rc= (0: the save stream was written) */
  exitRc: number | null;
  rejected: string | null;
  errors: string[];
}

/**
 * The pre-copy loop's lines in xend.log. Two layouts are seen in real logs: the round's stderr line whole
 * (`Saving memory pages: iter 1   0%\b\b\b\b  5%…\r 1: sent 28847, skipped 3921, delta 1702ms, …`, XendCheckpoint's
 * `log.info` of each line), and later libxc's `Saving memory: iter 3 (last sent 2701 skipped 1065)`. Progress
 * backspaces and carriage returns are split apart before reading.
 */
export function parseXendLog(text: string): XendSaveLog {
  const log: XendSaveLog = {
    rounds: [],
    suspended: false,
    totalPages: null,
    factor: null,
    exitRc: null,
    rejected: null,
    errors: [],
  };
  const byRound = new Map<number, XendRound>();
  const round = (n: number) => {
    let r = byRound.get(n);
    if (!r) {
      r = {
        round: n,
        sent: 0,
        skipped: 0,
        percent: null,
        deltaMs: null,
        sentMbps: null,
        dirtiedMbps: null,
        dirtyPages: null,
        last: false,
      };
      byRound.set(n, r);
    }
    return r;
  };
  // each piece of a record, by the first rule whose pattern matches it
  const rules: [RegExp, (m: RegExpExecArray) => void][] = [
    [
      /Saving memory pages: iter (\d+)\s+(\d+)%/,
      (m) => {
        round(Number(m[1])).percent = Number(m[2]);
      },
    ],
    [
      /^Saving memory: iter (\d+) \(last sent (\d+) skipped (\d+)\)/,
      (m) => {
        // the previous round's figures, reported as the next one starts
        const prev = Number(m[1]) - 1;
        if (prev >= 1) Object.assign(round(prev), { sent: Number(m[2]), skipped: Number(m[3]) });
        round(Number(m[1]));
      },
    ],
    [
      /^(\d+)%$/,
      (m) => {
        const last = [...byRound.values()].at(-1);
        if (last) last.percent = Number(m[1]);
      },
    ],
    [
      /^(\d+): sent (\d+), skipped (\d+),\s*(.*)$/,
      (m) => {
        const r = round(Number(m[1]));
        r.sent = Number(m[2]);
        r.skipped = Number(m[3]);
        const s = /delta (\d+)ms, dom0 \d+%, target \d+%, sent (\d+)Mb\/s, dirtied (\d+)Mb\/s (\d+) pages/.exec(m[4]);
        if (s) {
          r.deltaMs = Number(s[1]);
          r.sentMbps = Number(s[2]);
          r.dirtiedMbps = Number(s[3]);
          r.dirtyPages = Number(s[4]);
        }
        if (/Start last iteration/.test(m[4])) r.last = true;
      },
    ],
    [
      /^Total pages sent= (\d+) \(([\d.]+)x\)/,
      (m) => {
        log.totalPages = Number(m[1]);
        log.factor = Number(m[2]);
      },
    ],
    [
      /^Save exit rc=(-?\d+)/,
      (m) => {
        log.exitRc = Number(m[1]);
      },
    ],
    [
      /^Suspending \d+|^suspend$|In saveInputHandler suspend/,
      () => {
        log.suspended = true;
      },
    ],
    [
      /^Rejected connection from (\S+) \(([^)]*)\)\./,
      (m) => {
        log.rejected = `${m[1]} (${m[2]})`;
      },
    ],
    [/^ERROR Internal error: (.*)$/, (m) => void log.errors.push(m[1])],
  ];
  for (const raw of text.split("\n")) {
    // the log record's message: after "] LEVEL (Module:line) " and an optional "Thread-N:"
    const level = /^\[[^\]]*\]\s+([A-Z]+)\s+\([^)]*\)\s*/.exec(raw);
    const msg = raw.slice(level ? level[0].length : 0).replace(/^Thread-\d+:/, "");
    // xend's own ERROR records (a restore the target could not do) say why as plainly as xc_save's lines
    if (level?.[1] === "ERROR" && !/ - resuming\.$/.test(msg)) log.errors.push(msg.trim());
    for (const part of msg.split(/[\r\b]+/)) {
      const p = part.trim();
      for (const [re, apply] of rules) {
        const m = re.exec(p);
        if (m) {
          apply(m);
          break;
        }
      }
    }
  }
  log.rounds = [...byRound.values()].sort((a, b) => a.round - b.round);
  return log;
}
