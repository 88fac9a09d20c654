// What a real guest's memory checker (e2e/lab/guest/labvm-verify.c) says on its console about a job: whether the
// guest ran on, whether its memory is what it left, whether it booted again or went back to an older state.
// Used by the lab suite (e2e/lab/lab.spec.ts), the real Xen host's suite and the lab fault campaign (sim/trials/lab.ts).

/** One heartbeat: `TAG: uptime=12s dirty_passes=40 verified_pages=327680 mismatches=0 mib=32`. */
export interface Beat {
  uptime: number;
  passes: number;
  verified: number;
  mismatches: number;
}

export interface GuestReading {
  /** `TAG: booted …` lines: the guest's init ran (a boot) */
  boots: number;
  beats: Beat[];
  /** `TAG: MISMATCH …` lines, as printed */
  mismatches: string[];
  /** the guest kernel's own words for a crash (an oops, a BUG, a panic) */
  oops: string[];
}

const OOPS = /^.*(BUG:|Oops|Kernel panic|general protection fault).*$/gm;

export function readGuest(text: string, tag = "labvm"): GuestReading {
  const beats: Beat[] = [];
  const beat = new RegExp(`^${tag}: uptime=(\\d+)s dirty_passes=(\\d+) verified_pages=(\\d+) mismatches=(\\d+)`, "gm");
  for (const m of text.matchAll(beat))
    beats.push({ uptime: Number(m[1]), passes: Number(m[2]), verified: Number(m[3]), mismatches: Number(m[4]) });
  return {
    boots: [...text.matchAll(new RegExp(`^${tag}: booted`, "gm"))].length,
    beats,
    mismatches: [...text.matchAll(new RegExp(`^${tag}: MISMATCH.*$`, "gm"))].map((m) => m[0].trim()),
    oops: [...text.matchAll(OOPS)].map((m) => m[0].replace(/^\[\s*[\d.]+\]\s*/, "").trim()),
  };
}

export interface GuestVerdict {
  /** what went wrong, one sentence each; empty when the guest ran on with its memory whole */
  violations: string[];
  /** the guest has walked every page at least once since the job (two heartbeats a full pass apart) */
  checkedAll: boolean;
  /** the last heartbeat since the job */
  last?: Beat;
}

export interface VerdictOptions {
  /** the checker's name on the console (`labvm` in the lab, `capture-guest` on the Xen host) */
  tag?: string;
  /** the console as it was when the job ended: the full pass must come after it (default: `before`) */
  ended?: string;
}

/**
 * The guest's verdict on what happened between two readings of its console: `before` as it was before the job, `now`
 * as it is. The guest must have run on (heartbeats since), walked all of its memory since the job ended (a full pass
 * between two heartbeats after it), found no page other than it left it, not booted again, not crashed, and not gone
 * back to an older state (its counters continue from where they were).
 */
export function guestVerdict(before: string, now: string, opts: VerdictOptions = {}): GuestVerdict {
  const tag = opts.tag ?? "labvm";
  const since = now.startsWith(before) ? now.slice(before.length) : now;
  const was = readGuest(before, tag).beats.at(-1);
  const r = readGuest(since, tag);
  const violations: string[] = [];
  if (r.mismatches.length)
    violations.push(`the guest's memory checker found pages that do not hold what it wrote: ${r.mismatches[0]}`);
  else if (r.beats.some((b) => b.mismatches > (was?.mismatches ?? 0)))
    violations.push("the guest's memory checker counted pages that do not hold what it wrote");
  if (r.oops.length) violations.push(`the guest's kernel crashed: "${r.oops[0].slice(0, 120)}"`);
  if (r.boots) violations.push("the guest booted again: the memory it had is gone");
  const first = r.beats[0];
  if (!r.boots && was && first && (first.passes < was.passes || first.uptime < was.uptime))
    violations.push(
      `the guest went back to an older state: its checker had made ${was.passes} passes at ${was.uptime} s, and now says ${first.passes} at ${first.uptime} s`,
    );
  const ended = opts.ended ?? before;
  const after = readGuest(now.startsWith(ended) ? now.slice(ended.length) : since, tag).beats;
  const last = after.at(-1);
  // a heartbeat prints P passes done and the next one begun: P + 2 done later means every page was checked between
  const checkedAll = after.length > 1 && last!.passes >= after[0].passes + 2;
  return { violations, checkedAll, last };
}

/**
 * Waits until the guest has walked all of its memory since the job, or has said something is wrong, or `timeoutMs`
 * passed; then gives the verdict, with "the guest is silent" when it printed too little to judge.
 */
export async function awaitGuestVerdict(
  read: () => string,
  before: string,
  opts: VerdictOptions & { timeoutMs?: number } = {},
): Promise<GuestVerdict> {
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  for (;;) {
    const v = guestVerdict(before, read(), opts);
    if (v.checkedAll || v.violations.length) return v;
    if (Date.now() > deadline)
      return {
        ...v,
        violations: [
          v.last
            ? "the guest's checker did not finish a pass over its memory since the job"
            : "the guest printed no heartbeat since the job ended: it does not run on",
        ],
      };
    await new Promise((r) => setTimeout(r, 500));
  }
}
