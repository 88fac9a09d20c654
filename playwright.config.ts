import { defineConfig } from "@playwright/test";
import { E2E, LAB, METRICS_TOKEN } from "./e2e/env";

// The e2e suite runs the demo (simulated cluster in its own process + production server) on its own
// ports and a fresh state directory, in Debian's Chromium (Playwright cannot download browsers here).
// Two projects: "sim" (everything against the simulated cluster) and "lab" (e2e/lab: real sshd, libvirtd
// and QEMU in network namespaces, built by `npm run lab:up`; its tests skip, saying why, when the lab is down).
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  projects: [
    { name: "sim", testIgnore: "lab/**" },
    { name: "lab", testDir: "e2e/lab", use: { baseURL: LAB.baseURL } },
  ],
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  // a server error line no test asked for fails the run (each server logs to FERRY_LOG_FILE too)
  globalTeardown: "./e2e/server-logs.ts",
  use: {
    baseURL: E2E.baseURL,
    // five hosts in two rows and the job cards above them: tall enough that a pointer drag stays on screen
    viewport: { width: 1400, height: 1100 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `rm -rf ${E2E.dataDir} && node --import tsx scripts/demo.ts`,
      url: `${E2E.baseURL}/api/hosts`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        NODE_ENV: "production",
        PORT: String(E2E.port),
        FERRY_DATA_DIR: E2E.dataDir,
        FERRY_LOG_FILE: `${E2E.dataDir}/server.log`,
        SIM_BASE_PORT: String(E2E.simBasePort),
        SIM_CONTROL_PORT: String(E2E.simControlPort),
        FERRY_REFRESH_MS: "1000",
        FERRY_MEMORY_SAMPLE_SEC: "2",
        // the hostile-input run's logins come "through the proxy" from generated addresses (e2e/zz-hostile-inputs)
        FERRY_TRUSTED_PROXY: "127.0.0.1",
        FERRY_METRICS_TOKEN: METRICS_TOKEN,
      },
    },
    {
      command: `rm -rf ${LAB.dataDir} && node --import tsx scripts/demo.ts`,
      url: `${LAB.baseURL}/api/hosts`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        NODE_ENV: "production",
        PORT: String(LAB.port),
        FERRY_DATA_DIR: LAB.dataDir,
        FERRY_LOG_FILE: `${LAB.dataDir}/server.log`,
        FERRY_DEMO_SIM: "off",
        FERRY_REFRESH_MS: "2000",
      },
    },
  ],
});
