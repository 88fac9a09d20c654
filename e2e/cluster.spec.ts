import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { addTestDomain, removeTestDomain, setHostUp } from "./sim-control";
import { loginAs } from "./auth";

test.beforeEach(async ({ page }) => {
  await loginAs(page, "viewer");
});
test.afterEach(async () => {
  await setHostUp("hostB", true);
});

test("the Cluster page shows the guide's three hosts and hostB's domains, live", async ({ page }) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await expect(page).toHaveTitle("Cluster · Ferry");
  for (const name of ["hostA", "hostB", "hostC"])
    await expect(cluster.host(name)).toHaveAttribute("data-status", "online");
  await expect(cluster.domain("hostB", "ubuntu_fuwa_nfs_domU")).toContainText("256 MiB · 1 vCPU");
  await expect(cluster.domain("hostB", "debian_etch_domU")).toContainText("512 MiB · 2 vCPUs");
  await expect(cluster.host("hostB").getByTestId("host-toolstack")).toHaveText("xl · Xen 4.17.3");
  await expect(cluster.host("hostC").getByTestId("domain-list")).toContainText("No guest domains");
  await expect(cluster.host("hostB").getByTestId("memory-free")).toHaveText("6.3 GiB free");
  // the guide's warning: saved images are unencrypted memory, and hostB's image directory is mode 755
  await expect(cluster.host("hostB").getByTestId("image-dir-warning")).toContainText("readable by others (mode 755)");
  await expect(cluster.host("hostC").getByTestId("image-dir-warning")).toHaveCount(0);
});

test("a host whose sshd stops turns unreachable with the reason, then comes back by itself", async ({ page }) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  const hostB = cluster.host("hostB");
  await expect(hostB).toHaveAttribute("data-status", "online");

  await setHostUp("hostB", false);
  await expect(hostB).toHaveAttribute("data-status", "unreachable");
  await expect(hostB.getByTestId("host-reason")).toContainText(/refused|dropped|closed/);
  // last known domains stay visible, marked stale
  await expect(cluster.domain("hostB", "debian_etch_domU")).toBeVisible();

  await setHostUp("hostB", true);
  await expect(hostB).toHaveAttribute("data-status", "online");
  await expect(hostB.getByTestId("host-reason")).toHaveCount(0);
});

test("a host's view comes again only when more than its clocks changed: uptimes and 'last seen' move on without it", async ({
  page,
}) => {
  await addTestDomain("hostC", "clock_domU");
  try {
    // every message the page's stream brings (socket.io over a WebSocket: `42["event",payload]`)
    const frames: string[] = [];
    page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
    const cluster = new ClusterPage(page);
    await cluster.open();
    const card = cluster.domain("hostC", "clock_domU");
    await expect(card).toContainText(/up 0m \d+s/);
    const uptime = async () => (await card.textContent())?.match(/up (0m \d+s)/)?.[1];
    const first = await uptime();
    const mark = frames.length;
    const since = () => frames.slice(mark);
    const refreshes = () => since().filter((f) => f.startsWith('42["inventory:refreshed"')).length;
    // the inventory refreshes every second here; the page's uptimes move every five
    await expect.poll(refreshes).toBeGreaterThanOrEqual(2);
    await expect.poll(uptime, { timeout: 15_000 }).not.toBe(first);
    expect(since().filter((f) => f.startsWith('42["inventory:host"') && f.includes('"name":"hostC"'))).toEqual([]);

    // the Hosts page: hostC's "last seen" follows the refreshes, though its view does not come again
    await page.goto("/hosts");
    const seen = page.getByTestId("host-row-hostC").getByTestId("host-last-seen");
    const at = await seen.getAttribute("datetime");
    const mark2 = frames.length;
    await expect.poll(() => seen.getAttribute("datetime")).not.toBe(at);
    expect(await seen.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(
      frames.slice(mark2).filter((f) => f.startsWith('42["inventory:host"') && f.includes('"name":"hostC"')),
    ).toEqual([]);
  } finally {
    await removeTestDomain("hostC", "clock_domU");
  }
});

test("Refresh now reports how long a full refresh took", async ({ page }) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await page.getByTestId("refresh").click();
  await expect(page.getByTestId("cluster-summary")).toContainText(/last refresh \d+ ms/);
});

test("the page as sent already says when the inventory last refreshed: the summary gains no line when the stream's first refresh comes", async ({
  page,
  browser,
}) => {
  await new ClusterPage(page).open();
  // the page as the server sent it (no script runs), on a phone, where one more phrase is one more line
  const bare = await browser.newContext({
    storageState: await page.context().storageState(),
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
  });
  const sent = await bare.newPage();
  await sent.goto("/");
  await expect(sent.getByTestId("cluster-summary")).toContainText(/last refresh \d+ ms/);
  await bare.close();
});

test("Find: part of a name, a state or a toolstack narrows the Cluster page; clearing it shows everything", async ({
  page,
}) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await page.getByTestId("find-text").fill("FUWA");
  await expect(cluster.domain("hostB", "ubuntu_fuwa_nfs_domU")).toBeVisible();
  await expect(cluster.domain("hostB", "debian_etch_domU")).toHaveCount(0);
  await expect(cluster.host("hostB").getByTestId("hidden-by-filter")).toHaveText("1 more not matching the filter");
  // a host's name shows all of its domains
  await page.getByTestId("find-text").fill("hostb");
  await expect(cluster.domain("hostB", "debian_etch_domU")).toBeVisible();
  await page.getByTestId("find-text").fill("");
  const kvm = (await page.getByTestId("find-toolstack").locator("option", { hasText: "virsh" }).textContent())!;
  await page.getByTestId("find-toolstack").selectOption({ label: kvm });
  await expect(cluster.host("hostB")).toHaveCount(0);
  await expect(cluster.host("kvmA")).toBeVisible();
  await page.getByTestId("find-state").selectOption("shut down");
  await expect(cluster.host("kvmB").getByTestId("domain-win-test")).toBeVisible();
  await expect(cluster.host("kvmA").getByTestId("domain-web-kvm")).toHaveCount(0);
  await page.getByTestId("find-state").selectOption("");
  await page.getByTestId("find-toolstack").selectOption("");
  await expect(cluster.host("hostB")).toBeVisible();
});

test("a host has its own page, by name or id: facts, domains, and its moves", async ({ page }) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.host("hostB").getByTestId("host-page-link").click();
  await expect(page.getByTestId("host-page")).toBeVisible();
  await expect(page).toHaveTitle("hostB · Ferry");
  await expect(page.getByTestId("host-facts")).toContainText("x86_64");
  await expect(page.getByTestId("host-domains")).toContainText("debian_etch_domU");
  await page.goto("/hosts/hostA");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("hostA");
  const missing = await page.goto("/hosts/no-such-host");
  expect(missing?.status()).toBe(404);
});

test("a host's page draws its memory, CPU and network over time, sampled as the inventory refreshes", async ({
  page,
}) => {
  // the e2e server samples every 2 s (FERRY_MEMORY_SAMPLE_SEC): wait for a second sample, reloading
  await expect
    .poll(async () => {
      await page.goto("/hosts/hostB");
      return Number(await page.getByTestId("memory-history").getAttribute("data-points"));
    })
    .toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("memory-history")).toContainText("free");
  await expect(page.getByTestId("memory-history").locator(".recharts-area")).toHaveCount(2);
  // CPU and network are rates between two samples: the second sample gives the first point
  await expect(page.getByTestId("cpu-history")).toHaveAttribute("data-points", /^[1-9]\d*$/);
  await expect(page.getByTestId("cpu-history")).toContainText("share of the host's 4 CPUs");
  // hostB reaches the others through its bridge xenbr0 (its `ip route get` says so): its counters are read
  await expect(page.getByTestId("net-history")).toHaveAttribute("data-points", /^[1-9]\d*$/);
  await expect(page.getByTestId("net-history")).toContainText("Bytes on xenbr0");
});

test("a domain has its own page, by UUID from its card: where it runs, facts, memory, images, moves", async ({
  page,
}) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.domain("hostB", "debian_etch_domU").getByTestId("domain-details").click();
  await expect(page.getByTestId("domain-page")).toBeVisible();
  await expect(page).toHaveTitle("debian_etch_domU · Ferry");
  expect(page.url()).toMatch(/\/domains\/[0-9a-f]{8}-[0-9a-f]{4}-/); // by what the host says it is
  await expect(page.getByTestId("domain-where")).toContainText("runs on hostB");
  await expect(page.getByTestId("domain-facts")).toContainText("512 MiB");
  await expect(page.getByTestId("domain-jobs")).toContainText("Moves of debian_etch_domU");
  // by name works as people type it; a domain nobody knows of is a 404
  await page.goto("/domains/debian_etch_domU");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("debian_etch_domU");
  expect((await page.goto("/domains/no_such_domU"))?.status()).toBe(404);
});

test("the compact table: one sortable row per domain, filtered by Find, and the choice is remembered", async ({
  page,
}) => {
  const cluster = new ClusterPage(page);
  await cluster.open();
  await page.getByTestId("view-table").click();
  const table = page.getByTestId("domain-table");
  await expect(table.getByTestId("row-debian_etch_domU")).toContainText("hostB");
  const total = Number(await table.getAttribute("data-rows"));
  expect(total).toBeGreaterThan(3);
  // largest memory first
  await page.getByTestId("sort-memory").click();
  await page.getByTestId("sort-memory").click();
  await expect(table.locator("thead th[aria-sort=descending]")).toContainText("Memory");
  const memories = await table.locator("tbody tr[data-testid^=row-] td:nth-child(4)").allTextContents();
  const mib = memories.map((m) => (m.endsWith("GiB") ? Number.parseFloat(m) * 1024 : Number.parseFloat(m)));
  expect(mib).toEqual([...mib].sort((a, b) => b - a));
  await page.getByTestId("find-text").fill("fuwa");
  await expect(table).toHaveAttribute("data-rows", "1");
  // a viewer may look, not move
  await expect(table.getByTestId("row-move")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("domain-table")).toBeVisible();
  await page.getByTestId("view-cards").click();
  await expect(page.getByTestId("domain-table")).toHaveCount(0);
});

test("the first Tab of a page offers to skip the navigation, and Enter lands in the page's content", async ({
  page,
}) => {
  await page.goto("/history");
  await expect(page.getByTestId("logout")).toHaveAttribute("data-ready", "1");
  await page.keyboard.press("Tab");
  const skip = page.getByTestId("skip-link");
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  // the next Tab is inside the content, past the navigation
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => !!document.activeElement?.closest("main"))).toBe(true);
});
