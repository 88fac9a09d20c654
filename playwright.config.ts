import { defineConfig } from "@playwright/test";
import { E2E } from "./e2e/env";

// The e2e suite runs the demo (simulated cluster in its own process + production server) on its own
// ports and a fresh state directory, in Debian's Chromium (Playwright cannot download browsers here).
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: E2E.baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: `rm -rf ${E2E.dataDir} && node --import tsx scripts/demo.ts`,
    url: `${E2E.baseURL}/api/hosts`,
    timeout: 90_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(E2E.port),
      FERRY_DATA_DIR: E2E.dataDir,
      SIM_BASE_PORT: String(E2E.simBasePort),
      SIM_CONTROL_PORT: String(E2E.simControlPort),
      FERRY_REFRESH_MS: "1000",
    },
  },
});
