import fs from "node:fs";
import path from "node:path";
import { E2E, LAB } from "./env";

// Playwright's global teardown: the suite fails when a server it started wrote an error-level line (each e2e server
// logs to FERRY_LOG_FILE in its state directory, made anew at each start). No test provokes a server error today;
// one that does must say so here, with the spec that asserts it, before its line may pass.
const CLAIMED: { msg: RegExp; by: string }[] = [];

export default function serverLogs() {
  const unclaimed: string[] = [];
  for (const dir of [E2E.dataDir, LAB.dataDir]) {
    const file = path.join(dir, "server.log");
    if (!fs.existsSync(file)) continue;
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
