import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { startInstances, type Instances } from "../sim/scale/instances";
import { drag } from "./drag";
import { LARGE } from "./env";
import { addTestDomain, removeTestDomain } from "./sim-control";

// The Cluster page past "small" (40 hosts × 10 domains = 400 > 300): the page brings its first screenful whole and
// the other hosts as outlines, the live stream brings them whole; a column far from the screen is a placeholder of
// its size and becomes the column as it nears; Find brings what it found to the top; a domain far down the page is
// dragged like any other. One real server.ts (production build) on a scratch PostgreSQL database, as the
// scale-out spec starts its instances.

let t: Instances;
let url: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const pgUrl = execFileSync("bash", ["scripts/pg-cluster.sh", "start"], { encoding: "utf8" }).trim();
  t = await startInstances({ pgUrl, count: 1, ...LARGE, simEnv: { SIM_HOSTS: "40", SIM_DOMAINS: "10" } });
  url = t.instances[0].url;
});

test.afterAll(async () => {
  await t?.stop();
});

async function login(page: Page) {
  await page.goto(`${url}/login`);
  await page.getByTestId("login-username").fill(t.admin.username);
  await page.getByTestId("login-password").fill(t.admin.password);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("whoami")).toBeVisible();
}

test("the page brings the first screenful whole and the rest as outlines; the stream brings every host", async ({
  page,
}) => {
  await login(page);
  // the page as the server sends it: sim001's cards are in it, sim040's are not (its outline is: the name)
  const html = await (await page.request.get(`${url}/`)).text();
  expect(html).toContain("sim001-vm01");
  expect(html).toContain("sim040");
  expect(html).not.toContain("sim040-vm01");
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${url}/`);
  await expect(page.getByTestId("stream-status")).toHaveAttribute("data-status", "live");
  await expect(page.getByTestId("cluster-summary")).toContainText("40 hosts · 40 online · 400 domains");
  await expect(page.getByTestId("cluster-summary")).not.toContainText("from the live stream");
  // far from the screen: a placeholder holding the column's place, without its cards
  const last = page.getByTestId("host-sim040");
  await expect(last).toHaveAttribute("data-placeholder", "");
  await expect(last.locator('li[data-testid^="domain-"]')).toHaveCount(0);
  const cards = await page.locator('li[data-testid^="domain-"]').count();
  expect(cards).toBeLessThan(400);
  // near the screen: the column with its ten cards, each draggable
  await last.scrollIntoViewIfNeeded();
  await expect(last).not.toHaveAttribute("data-placeholder");
  await expect(last.locator("li[data-drag-ready]")).toHaveCount(10);
  // the first columns, now far above, gave their place back and keep their height
  await expect(page.getByTestId("host-sim001")).toHaveAttribute("data-placeholder", "");
});

test("Find brings the host with what it found to the top; a domain from the end of the page is dragged onto another host", async ({
  page,
}) => {
  await login(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${url}/`);
  await expect(page.getByTestId("stream-status")).toHaveAttribute("data-status", "live");
  await page.getByTestId("find-text").fill("sim038-vm07");
  const card = page.getByTestId("domain-sim038-vm07");
  await expect(card).toBeInViewport();
  await expect(page.locator('li[data-testid^="domain-"]')).toHaveCount(1);
  // every host stays a drop target, the others after the found one in the order of names
  const target = page.getByTestId("host-sim001");
  await expect(target).toBeInViewport();
  const d = await drag(page, card, target);
  await expect(target.getByTestId("drop-verdict")).not.toHaveAttribute("data-verdict", "checking");
  await expect(target.getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "ok");
  await d.drop();
  await expect(page.getByRole("dialog")).toContainText("sim038-vm07");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
});

test("a first-screen column's first ten cards come with the page, the rest once the browser has it, in room kept for them; nothing above it moves", async ({
  page,
  browser,
}) => {
  const sim = `http://127.0.0.1:${LARGE.simControlPort}`;
  const extra = ["sim001-vm11", "sim001-vm12", "sim001-vm13"];
  for (const name of extra) await addTestDomain("sim001", name, 64, sim);
  try {
    await login(page);
    // the page as the server sends it, once the inventory has seen the three: ten cards, and room for three more
    const html = async () => (await page.request.get(`${url}/`)).text();
    await expect.poll(async () => (await html()).includes('data-testid="cards-to-come"')).toBe(true);
    const sent = await html();
    expect(sent).toContain('data-testid="domain-sim001-vm10"');
    expect(sent).not.toContain('data-testid="domain-sim001-vm11"');
    expect(sent).toMatch(/height:288px[^>]*data-testid="cards-to-come"/);
    // where the page as sent puts the first column (a browser without scripts shows exactly that)…
    const bare = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled: false });
    await bare.addCookies(await page.context().cookies());
    const sentPage = await bare.newPage();
    await sentPage.goto(`${url}/`);
    const sentTop = (await sentPage.getByTestId("host-sim001").boundingBox())!.y;
    await bare.close();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${url}/`);
    const column = page.getByTestId("host-sim001");
    await expect(column.locator("li[data-drag-ready]")).toHaveCount(13);
    await expect(column.getByTestId("cards-to-come")).toHaveCount(0);
    // …is where it stays once the stream is live and every host whole (the summary's words changed above it)
    await expect(page.getByTestId("cluster-summary")).not.toContainText("from the live stream");
    expect((await column.boundingBox())!.y).toBe(sentTop);
  } finally {
    for (const name of extra) await removeTestDomain("sim001", name, sim);
  }
});
