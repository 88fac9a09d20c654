// What a trial does, drawn from its seed alone: the job, the domain, the hosts, the faults and their moments.
// The same seed draws the same trial, so a violation replays with `SEED=… TRIAL=… npm run trials`.

import type { ToolstackName } from "../../lib/toolstacks/types";

/** the toolstacks a trial may draw: every one Ferry has (CAST must give each its hosts and domains) */
export type Toolstack = ToolstackName;
export type JobKindT = "migrate" | "save" | "restore" | "move";

/**
 * When a fault strikes: when this much of the domain's memory has been sent, when the job enters a phase, or at
 * the job's n-th event (a check, a log line of the toolstack, a sample: any moment, whatever the job reports).
 */
export type Moment =
  | { kind: "progress"; fraction: number }
  | { kind: "phase"; phase: string }
  | { kind: "event"; n: number };

export type Fault =
  | { kind: "blip"; host: "source" | "target"; at: Moment }
  | { kind: "sshd-stop"; host: "source" | "target"; at: Moment; forMs: number }
  | { kind: "link-cut"; during: "precopy" | "stop-and-copy" }
  | { kind: "target-oom" }
  | { kind: "target-start-fails" }
  | { kind: "suspend-refused" }
  | { kind: "domain-crash" }
  | { kind: "disk-full"; atPercent: number }
  | { kind: "ferry-kill"; at: Moment };

export interface TrialPlan {
  seed: number;
  index: number;
  toolstack: Toolstack;
  job: JobKindT;
  domain: string;
  source: string;
  target: string;
  faults: Fault[];
}

/** mulberry32: a small, well-known 32-bit PRNG; enough to draw trials reproducibly (not for secrets). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
  };
}

/** The demo world's hosts and the domains a trial moves (those that converge on a 1 Gbit/s link). */
export const CAST: Record<Toolstack, { hosts: string[]; domains: { name: string; home: string }[] }> = {
  xl: {
    hosts: ["hostA", "hostB", "hostC"],
    domains: [
      { name: "debian_etch_domU", home: "hostB" },
      { name: "ubuntu_fuwa_nfs_domU", home: "hostB" },
    ],
  },
  virsh: { hosts: ["kvmA", "kvmB"], domains: [{ name: "web-kvm", home: "kvmA" }] },
  xm: { hosts: ["xmA", "xmB"], domains: [{ name: "sles11_domU", home: "xmA" }] },
};

const PHASES: Record<JobKindT, string[]> = {
  migrate: ["pre-migration", "reservation", "precopy", "stop-and-copy", "commitment", "activation"],
  save: ["pre-migration", "stop-and-copy", "done"],
  restore: ["pre-migration", "activation", "done"],
  move: ["pre-migration", "stop-and-copy", "activation", "done"],
};

/** Which faults make sense for which job (a save has no target; xend's migration has no --incoming start). */
function faultsFor(job: JobKindT, toolstack: Toolstack): Fault["kind"][] {
  const common: Fault["kind"][] = ["blip", "sshd-stop", "ferry-kill"];
  if (job === "migrate") {
    const more: Fault["kind"][] = ["link-cut", "target-oom"];
    if (toolstack === "xl") more.push("target-start-fails", "suspend-refused");
    if (toolstack === "virsh") more.push("domain-crash");
    return [...common, ...more];
  }
  if (job === "save" || job === "move") return [...common, "disk-full"];
  return common;
}

function moment(r: ReturnType<typeof rng>, job: JobKindT): Moment {
  const roll = r.next();
  return roll < 0.4
    ? { kind: "progress", fraction: Math.round(r.next() * 95) / 100 }
    : roll < 0.7
      ? { kind: "phase", phase: r.pick(PHASES[job]) }
      : { kind: "event", n: 1 + r.int(20) };
}

function fault(r: ReturnType<typeof rng>, kind: Fault["kind"], job: JobKindT): Fault {
  const host = job === "save" ? "source" : job === "restore" ? "target" : r.pick(["source", "target"] as const);
  switch (kind) {
    case "blip":
      return { kind, host, at: moment(r, job) };
    case "sshd-stop":
      return { kind, host, at: moment(r, job), forMs: 300 + r.int(2700) };
    case "link-cut":
      return { kind, during: r.pick(["precopy", "stop-and-copy"] as const) };
    case "disk-full":
      return { kind, atPercent: 5 + r.int(90) };
    case "ferry-kill":
      return { kind, at: moment(r, job) };
    default:
      return { kind } as Fault;
  }
}

export interface Filter {
  toolstack?: Toolstack;
  fault?: Fault["kind"] | "none";
  job?: JobKindT;
}

/**
 * Trial `index` of campaign `seed`. A tenth of the trials have no fault (the control group), a fifth two at
 * once; a filter narrows the draw (the trial is drawn again from the same stream until it matches).
 */
export function drawTrial(seed: number, index: number, filter: Filter = {}): TrialPlan {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const toolstack = r.pick(["xl", "xl", "virsh", "xm"] as const);
    const job = r.pick(["migrate", "migrate", "save", "restore", "move"] as const);
    const cast = CAST[toolstack];
    const dom = r.pick(cast.domains);
    const others = cast.hosts.filter((h) => h !== dom.home);
    // a restore puts the image back on the host that saved it (the image lies in that host's own directory)
    const target = job === "restore" ? dom.home : r.pick(others);
    const kinds = faultsFor(job, toolstack);
    const roll = r.next();
    const faults: Fault[] =
      roll < 0.1
        ? []
        : roll < 0.3
          ? [fault(r, r.pick(kinds), job), fault(r, r.pick(kinds.filter((k) => k !== "ferry-kill")), job)]
          : [fault(r, r.pick(kinds), job)];
    const plan: TrialPlan = { seed, index, toolstack, job, domain: dom.name, source: dom.home, target, faults };
    if (filter.toolstack && filter.toolstack !== toolstack) continue;
    if (filter.job && filter.job !== job) continue;
    if (filter.fault === "none" ? faults.length > 0 : filter.fault && !faults.some((f) => f.kind === filter.fault))
      continue;
    return plan;
  }
  throw new Error(`no trial matches ${JSON.stringify(filter)}`);
}

export function describeFault(f: Fault): string {
  const at = (m: Moment) =>
    m.kind === "progress"
      ? `at ${Math.round(m.fraction * 100)} % sent`
      : m.kind === "phase"
        ? `entering ${m.phase}`
        : `at the job's event ${m.n}`;
  switch (f.kind) {
    case "blip":
      return `SSH sessions of the ${f.host} reset ${at(f.at)}`;
    case "sshd-stop":
      return `sshd stopped on the ${f.host} ${at(f.at)} for ${f.forMs} ms`;
    case "link-cut":
      return `link cut during ${f.during}`;
    case "target-oom":
      return "target out of memory";
    case "target-start-fails":
      return "target fails to start the domain";
    case "suspend-refused":
      return "the source cannot suspend the domain (log-dirty refused)";
    case "domain-crash":
      return "the guest crashes during pre-copy";
    case "disk-full":
      return `disk full at ${f.atPercent} % of the image`;
    case "ferry-kill":
      return `Ferry SIGKILLed ${at(f.at)}, then restarted on the same database`;
  }
}
