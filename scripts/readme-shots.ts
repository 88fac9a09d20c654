// `npx tsx scripts/readme-shots.ts [baseURL]`: the README's pictures of a running demo (FERRY_DATA_DIR for its
// logins): the phone layout, the migrate dialog, a host page, a domain page, the table view, a group move's plan and
// dark mode.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const creds = JSON.parse(
  fs.readFileSync(path.join(process.env.FERRY_DATA_DIR ?? "state", "demo-credentials.json"), "utf8"),
).operator;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

async function session(width: number, height: number, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme });
  await page.goto(`${base}/login`, { waitUntil: "networkidle" });
  await page.getByTestId("login-username").fill(creds.username);
  await page.getByTestId("login-password").fill(creds.password);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("logout").waitFor({ state: "attached" });
  return page;
}
async function shot(page: Page, url: string, out: string, fullPage = true) {
  if (url) await page.goto(`${base}${url}`, { waitUntil: "networkidle" });
  await page.screenshot({ path: `public/${out}`, fullPage });
  console.log(`wrote public/${out}`);
}

const phone = await session(390, 844);
await shot(phone, "/", "screenshot-phone.png");
await phone.close();

const desk = await session(1280, 800);
await shot(desk, "/hosts/hostB", "screenshot-host.png");
await shot(desk, "/domains/debian_etch_domU", "screenshot-domain.png");
await desk.goto(`${base}/`, { waitUntil: "networkidle" });
await desk.getByTestId("view-table").click();
await shot(desk, "", "screenshot-table.png", false);
await desk.getByTestId("row-debian_etch_domU").getByTestId("row-move").selectOption({ label: "hostC" });
await desk.getByTestId("migrate-dialog").getByTestId("check-reachable").waitFor();
await desk.waitForFunction(() => !document.querySelector('[data-testid="migrate-dialog"] [data-status="checking"]'));
await shot(desk, "", "screenshot-dialog.png", false);
await desk.keyboard.press("Escape");
await desk.getByTestId("view-cards").click();
// a group move's plan: three domains from two hosts, anywhere that fits
for (const d of ["debian_etch_domU", "ubuntu_fuwa_nfs_domU", "web-kvm"])
  await desk.getByTestId(`domain-${d}`).getByTestId("domain-select").check();
await desk.getByTestId("selection-plan").click();
await desk.locator('[data-testid="group-move-dialog"][data-state="planned"]').waitFor({ timeout: 60_000 });
await shot(desk, "", "screenshot-group-move.png", false);
await desk.keyboard.press("Escape");
await desk.getByTestId("selection-clear").click();
await desk.close();

const dark = await session(1280, 800, "dark");
await shot(dark, "/", "screenshot-dark.png", false);
await shot(dark, "/hosts/hostB", "screenshot-dark-host.png", false);
await dark.close();
await browser.close();
