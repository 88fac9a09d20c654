import fs from "node:fs";
import path from "node:path";
import { E2E, LARGE, LAB, SCALE } from "./env";

// Playwright's global teardown: the suite fails when a Ferry it started wrote an error-level line. Every Ferry the
// e2e suite starts logs to FERRY_LOG_FILE, a server*.log in its state directory, made anew at each run: the two
// webServers, the restart spec's Ferry B (server-b.log beside the stack's), each scale-out instance (below
// SCALE.dir), the large-cluster spec's instance (below LARGE.dir). No test provokes a server error today; one that does must say so here, with the spec that asserts it,
// before its line may pass.
const CLAIMED: { msg: RegExp; by: string }[] = [];

/** every server*.log in the e2e data directories and one level below them, written during this run */
function logFiles(): string[] {
  // a directory this run did not use (a spec not selected) may hold an earlier run's log: not this run's to judge
  const runStarted = Date.now() - process.uptime() * 1000;
  const found: string[] = [];
  const look = (dir: string, depth: number) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const at = path.join(dir, entry.name);
      if (entry.isFile() && /^server.*\.log$/.test(entry.name)) {
        if (fs.statSync(at).mtimeMs >= runStarted) found.push(at);
      } else if (entry.isDirectory() && depth > 0) look(at, depth - 1);
    }
  };
  for (const dir of [E2E.dataDir, LAB.dataDir, SCALE.dir, LARGE.dir]) look(dir, 1);
  return found;
}

export default function serverLogs() {
  const unclaimed: string[] = [];
  for (const file of logFiles()) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      let entry: { level?: number; msg?: string } | null = null;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if ((entry?.level ?? 0) >= 50 && !CLAIMED.some((c) => c.msg.test(entry?.msg ?? "")))
        unclaimed.push(`${file}: ${line}`);
    }
  }
  if (unclaimed.length)
    throw new Error(
      `error-level lines from the e2e servers that no test asked for:\n${unclaimed.slice(0, 20).join("\n")}`,
    );
}
