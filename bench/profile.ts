// Profiles for the benches (BENCH_PROFILE=<dir>): V8's CPU profiles, of this process (where Ferry runs in a bench)
// through node:inspector and of a page through Chromium's DevTools protocol — the same Profiler domain, so one
// summary for both: the functions with the most self time, and the profile written for DevTools to open.
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The `top` functions by self time (ms), with where they are, and the profile's total. */
export function selfTimes(profile: CpuProfile, top = 12): { totalMs: number; rows: string[] } {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const f = byNode.get(id);
    const dt = (profile.timeDeltas?.[i] ?? 0) / 1000;
    total += dt;
    if (!f) return;
    const where = f.url ? `${f.url.replace(/^.*\/(_next|node_modules|work\/main)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const rows = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${(100 * (ms / total)).toFixed(1).padStart(5)} %  ${k}`);
  return { totalMs: total, rows };
}

/** Writes the profile to `dir/name.cpuprofile` and prints its summary under `title`. */
export function report(dir: string, name: string, title: string, profile: CpuProfile) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  const { totalMs, rows } = selfTimes(profile);
  console.log(`  profile: ${title}, ${totalMs.toFixed(0)} ms sampled (${file}); most self time:`);
  for (const r of rows) console.log(`    ${r}`);
}

/** A CPU profile of this process while `fn` runs. */
export async function profileThisProcess<T>(fn: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  try {
    const result = await fn();
    const { profile } = await session.post("Profiler.stop");
    return { result, profile: profile as unknown as CpuProfile };
  } finally {
    session.disconnect();
  }
}
