import { chromium } from "@playwright/test";
import fs from "node:fs";
const creds = JSON.parse(fs.readFileSync("/tmp/shotdata/demo-credentials.json", "utf8"));
const admin = creds.admin ?? creds.find?.((c: any) => c.role === "admin");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless"] });
for (const [w, scheme] of [[1400, "light"], [390, "dark"], [390, "light"], [1400, "dark"]] as const) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 1000 }, colorScheme: scheme });
  const page = await ctx.newPage();
  await page.goto("http://127.0.0.1:3300/login?next=/balance");
  await page.getByLabel(/user/i).fill(admin.username ?? "admin");
  await page.getByLabel(/password/i).fill(admin.password);
  await page.keyboard.press("Enter");
  await page.waitForURL(/balance/).catch(async (e) => { await page.screenshot({ path: `/tmp/fail-${w}.png` }); throw e; });
  await page.getByTestId("balance-page").waitFor();
  await page.waitForSelector('[data-testid="balance-page"][data-ready="1"]');
  await page.getByTestId("balance-threshold").fill("3");
  await page.getByTestId("balance-recommend").click();
  await page.getByTestId("recommendation").waitFor({ timeout: 30000 }).catch(async (e) => { await page.screenshot({ path: `/tmp/fail-${w}.png` }); throw e; });
  await page.waitForTimeout(500);
  await page.screenshot({ path: `/tmp/balance-${w}-${scheme}.png`, fullPage: true });
  await ctx.close();
}
await browser.close();
