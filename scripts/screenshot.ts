// `npx tsx scripts/screenshot.ts <url> <out.png> [width]`: a headless Chromium screenshot (README, reviews).
import { chromium } from "@playwright/test";

const [url = "http://127.0.0.1:3000/", out = "public/screenshot-cluster.png", width = "1280"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } });
await page.goto(url, { waitUntil: "networkidle" });
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(`wrote ${out}`);
