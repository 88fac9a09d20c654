// `npx tsx scripts/screenshot.ts <url> <out.png> [width] [role]`: a headless Chromium screenshot (README,
// reviews). With a role, logs in first with the demo's credentials (FERRY_DATA_DIR/demo-credentials.json).
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

const [url = "http://127.0.0.1:3000/", out = "public/screenshot-cluster.png", width = "1280", role] =
  process.argv.slice(2);
const browser = await chromium.launch({
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
});
const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } });
if (role) {
  const creds = JSON.parse(
    fs.readFileSync(path.join(process.env.FERRY_DATA_DIR ?? "state", "demo-credentials.json"), "utf8"),
  )[role];
  await page.goto(new URL("/login", url).href, { waitUntil: "networkidle" });
  await page.getByTestId("login-username").fill(creds.username);
  await page.getByTestId("login-password").fill(creds.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("whoami").waitFor();
}
await page.goto(url, { waitUntil: "networkidle" });
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(`wrote ${out}`);
