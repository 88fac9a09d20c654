import { spawn } from "node:child_process";
import path from "node:path";
import type { HostRecord } from "../../lib/inventory/types";

/**
 * A Ferry job engine in a process of its own (lib/jobs/testing/engine-child.ts) that takes `request` on the database
 * `dbFile`, so a trial can SIGKILL it mid-job; with stdout "pipe" each job event comes out as a JSON line.
 */
export function spawnEngine(
  dbFile: string,
  records: HostRecord[],
  request: Record<string, unknown>,
  engineOpts: Record<string, number>,
  stdout: "pipe" | "ignore",
) {
  const child = path.join(path.dirname(new URL(import.meta.url).pathname), "../../lib/jobs/testing/engine-child.ts");
  return spawn(process.execPath, ["--import", "tsx", child, JSON.stringify(request)], {
    env: {
      ...process.env,
      FERRY_TEST_DB: dbFile,
      FERRY_TEST_HOSTS: JSON.stringify(records),
      FERRY_TEST_ENGINE_OPTS: JSON.stringify(engineOpts),
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", stdout, "inherit"],
  });
}
