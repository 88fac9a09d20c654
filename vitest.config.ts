import { defineConfig } from "vitest/config";
import os from "node:os";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: [
      "lib/**/*.test.ts",
      "components/**/*.test.ts",
      "sim/**/*.test.ts",
      "scripts/**/*.test.ts",
      "e2e/**/*.test.ts",
    ],
    environment: "node",
    // an error-level log line no test claimed fails the run (lib/testing/log-claims.ts)
    setupFiles: ["lib/testing/vitest-setup.ts"],
    // a hang detector, not a speed limit: with several files at once on two cores (below) a test that takes 10–16 s
    // alone (an evacuation at real time, save/restore under SSH blips, on PostgreSQL) can take twice that
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // most test files wait on simulated hosts over real SSH (sleeping timers, sockets), not on the CPU: one file
    // per core left both cores half idle (lib/jobs + lib/evacuate + lib/auth: 204 s with 1 worker, 97 s with 4,
    // on 2 cores). Every file has its own simulated cluster and database, so they do not meet.
    maxWorkers: Math.max(4, os.availableParallelism()),
  },
});
