// `npm run bench:ui` (HOSTS=200 DOMAINS=20; needs `npm run build`): the Cluster page in Chromium at N×M:
// time to interactive (navigation → the first frame showing the live stream, on the page's clock; also as the driver
// saw it), where that time went (bench/ui-marks.ts), then every host whole, the time from a drag's start to the hovered host showing its check verdict, and Find's result in the cards and the
// table views. Sim in its own process. RUNNING=K: then K migrations at once, and the page's frames and long tasks
// while they run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { chromium } from "@playwright/test";
import type { SimHostInfo } from "../sim/cluster";
import { profileThisProcess, report } from "./profile";
import { describeLoad, type LoadPhases, readNavigation, readStreamMarks, streamMarksScript } from "./ui-marks";

const HOSTS = Number(process.env.HOSTS ?? 200);
const DOMAINS = Number(process.env.DOMAINS ?? 20);
const RUNNING = Number(process.env.RUNNING ?? 0);
if (!Number.isInteger(RUNNING) || RUNNING < 0 || RUNNING > HOSTS - 11)
  throw new Error(
    `RUNNING=${process.env.RUNNING}: a whole number from 0 to ${HOSTS - 11} (hosts sim011 on, each into the next)`,
  );
// HOG=1: a CPU hog (`yes`) beside it all, one core's worth, as bench:stream
const hog = process.env.HOG ? spawn("yes", { stdio: ["ignore", "ignore", "ignore"] }) : null;
const PORT = Number(process.env.PORT ?? 3210);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-ui-"));
process.env.FERRY_DATA_DIR = dir;
(process.env as Record<string, string>).NODE_ENV = "production";
const sim = spawn(process.execPath, ["--import", "tsx", "sim/main.ts"], {
  env: {
    ...process.env,
    FERRY_SIM_DIR: path.join(dir, "sim"),
    SIM_BASE_PORT: "0",
    SIM_CONTROL_PORT: "0",
    SIM_HOSTS: String(HOSTS),
    SIM_DOMAINS: String(DOMAINS),
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const hosts = await new Promise<SimHostInfo[]>((resolve, reject) => {
  readline.createInterface({ input: sim.stdout }).on("line", (l) => {
    if (l.startsWith("SIM_READY ")) resolve(JSON.parse(l.slice(10)).hosts);
  });
  sim.once("exit", (c) => reject(new Error(`sim exited ${c}`)));
});
const { openDatabase } = await import("../lib/db/client");
const { AuthService } = await import("../lib/auth/service");
const { db } = await openDatabase();
for (const h of hosts)
  await db.host.create({
    data: {
      name: h.name,
      address: h.address,
      port: h.port,
      user: h.user,
      authMethod: "key",
      keyPath: h.keyPath,
      fingerprint: h.fingerprint,
    },
  });
await new AuthService(db).upsertUser("bench", "operator", "bench-password-123");
await db.$disconnect();
// Next.js logs an uncaught error and keeps serving; a bench that failed must end, with its error
process.on("uncaughtException", (e) => {
  console.error("bench:ui failed:", e);
  hog?.kill();
  sim.kill("SIGTERM");
  process.exit(1);
});
const { startFerry } = await import("../server");
const ferry = await startFerry({ port: PORT, dev: false });
await ferry.services.inventory.refreshAll();

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
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const base = `http://127.0.0.1:${PORT}`;
await page.goto(`${base}/login`);
await page.getByTestId("login-username").fill("bench");
await page.getByTestId("login-password").fill("bench-password-123");
await page.getByTestId("login-submit").click();
await page.getByTestId("whoami").waitFor();
// the login lands on the Cluster page: let it finish (its snapshot, its idle work) so the first load measured does
// not start beside it
await page.getByTestId("cluster-summary").filter({ hasNotText: "from the live stream" }).waitFor({ timeout: 120_000 });
await page.evaluate(() => new Promise((r) => requestIdleCallback(r, { timeout: 5_000 })));
// every message the page's stream brings (socket.io over a WebSocket: `42["event",payload]`), for the idle figure
const frames: { event: string; bytes: number }[] = [];
page.on("websocket", (ws) =>
  ws.on("framereceived", (f) => {
    const text = String(f.payload);
    frames.push({ event: /^42\["([^"]+)"/.exec(text)?.[1] ?? "", bytes: Buffer.byteLength(text) });
  }),
);
const tti: number[] = [];
const whole: number[] = [];
const phases: LoadPhases[] = [];
await page.addInitScript(streamMarksScript);
// how late this process's event loop ran during the loads (Ferry's server shares it with Playwright's driver)
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
for (let i = 0; i < 3; i++) {
  const t0 = Date.now();
  await page.goto(`${base}/`);
  await page.locator('[data-testid="stream-status"][data-status="live"]').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid^="domain-"][data-drag-ready]').first().waitFor();
  tti.push(Date.now() - t0);
  // then every host whole: the hosts the page left as outlines rendered from the stream's snapshot (the page is
  // usable before; the bench's scroll below needs them in place)
  await page
    .getByTestId("cluster-summary")
    .filter({ hasNotText: "from the live stream" })
    .waitFor({ timeout: 120_000 });
  whole.push(Date.now() - t0);
  phases.push({
    ...((await page.evaluate(readNavigation)) as Omit<LoadPhases, "marks">),
    marks: await page.evaluate(readStreamMarks),
  });
}
loopDelay.disable();
// BENCH_PROFILE=<dir>: a fourth load profiled, in the page (Chromium's profiler) and in Ferry's process
const profileDir = process.env.BENCH_PROFILE;
if (profileDir) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const { profile: server } = await profileThisProcess(async () => {
    await page.goto(`${base}/`);
    await page.locator('[data-testid="stream-status"][data-status="live"]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid^="domain-"][data-drag-ready]').first().waitFor();
  });
  const { profile: browser } = await cdp.send("Profiler.stop");
  report(profileDir, `ui-${HOSTS}x${DOMAINS}-page`, "the page's main thread, one load", browser);
  report(profileDir, `ui-${HOSTS}x${DOMAINS}-server`, "Ferry's process, the same load", server);
}
// (after the profiled load too: every host in place before the scroll)
await page.getByTestId("cluster-summary").filter({ hasNotText: "from the live stream" }).waitFor({ timeout: 120_000 });
// the page left alone over three inventory refreshes: what its stream brings, and its long tasks meanwhile
await page.evaluate(`(() => {
  window.idle = { long: 0, longMs: 0 };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.idle.long++; window.idle.longMs += e.duration; } }).observe({ type: "longtask" });
})()`);
const refreshes = async (after: number, n: number) => {
  const deadline = Date.now() + 120_000;
  while (frames.slice(after).filter((f) => f.event === "inventory:refreshed").length < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} inventory refreshes reached the page in 2 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
await refreshes(frames.length, 1);
const mark = frames.findLastIndex((f) => f.event === "inventory:refreshed") + 1;
const idleT0 = await page.evaluate("({ ...window.idle })");
await refreshes(mark, 3);
const idleT1 = (await page.evaluate("({ ...window.idle })")) as { long: number; longMs: number };
const idleFrames = frames.slice(mark);
const idle = {
  views: idleFrames.filter((f) => f.event === "inventory:host").length,
  mib: idleFrames.reduce((a, f) => a + f.bytes, 0) / 1048576,
  long: idleT1.long - (idleT0 as typeof idleT1).long,
  longMs: idleT1.longMs - (idleT0 as typeof idleT1).longMs,
};
// columns far from the screen are placeholders: the cards in the DOM are those near it
const cards = await page.locator('li[data-testid^="domain-"]').count();
// far down the page, cards become draggable as their column nears the screen
const mid = `sim${String(Math.ceil(HOSTS / 2)).padStart(3, "0")}`;
await page.getByTestId(`host-${mid}`).scrollIntoViewIfNeeded();
await page.getByTestId(`domain-${mid}-vm01`).and(page.locator("[data-drag-ready]")).waitFor({ timeout: 5_000 });
if (process.env.BENCH_SCREENSHOTS)
  await page.screenshot({ path: path.join(process.env.BENCH_SCREENSHOTS, `cluster-${HOSTS}x${DOMAINS}-${mid}.png`) });
await page.evaluate("window.scrollTo(0, 0)");
const feedback: number[] = [];
/** what the server's checks said of each drop (the sim's hosts take each other's guests) */
const verdicts: string[] = [];
const full: number[] = [];
for (let i = 0; i < 5; i++) {
  const card = page.getByTestId(`domain-sim001-vm${String(i + 1).padStart(2, "0")}`);
  // sim002 and sim003 share the first row with sim001 at this viewport, so they are on screen; a host further
  // down would make dnd-kit scroll the page while the pointer travels, and the next card would be off screen
  const targetName = `sim00${(i % 2) + 2}`;
  const target = page.getByTestId(`host-${targetName}`);
  await page.evaluate("window.scrollTo(0, 0)");
  await card.waitFor(); // laid out again after the scroll (columns off screen skip layout)
  const a = (await card.boundingBox())!;
  const b = (await target.boundingBox())!;
  if (b.y + 60 > 1000 || a.y + 15 > 1000)
    throw new Error(`the card or host is off screen: card at y ${a.y}, host at y ${b.y}`);
  await page.mouse.move(a.x + 30, a.y + 15);
  await page.mouse.down();
  await page.mouse.move(a.x + 40, a.y + 15, { steps: 3 });
  // measured in the page: from the pointer event that brought the card over the host (its own timestamp)
  // to the verdict in the DOM (a MutationObserver), so Playwright's round trips are not counted
  // (a string: tsx would wrap named functions in a helper the page does not have)
  await page.evaluate(`(() => {
    const host = document.querySelector('[data-testid="host-${targetName}"]');
    window.fb = {};
    window.fb.moves = [];
    document.addEventListener("pointermove", (e) => { if (window.fb.t1 === undefined) window.fb.moves.push(e.timeStamp); }, { capture: true });
    new MutationObserver(() => {
      // the move that brought the dragged card over the host is the last one before the verdict appeared
      if (window.fb.t1 === undefined && host.querySelector('[data-testid="drop-verdict"]')) { window.fb.t1 = performance.now(); window.fb.t0 = window.fb.moves.at(-1); }
      if (window.fb.t2 === undefined && host.querySelector('[data-testid="drop-verdict"]:not([data-verdict="checking"])')) window.fb.t2 = performance.now();
    }).observe(host, { subtree: true, childList: true, attributes: true });
  })()`);
  await page.mouse.move(b.x + 100, b.y + 60, { steps: 5 });
  await target.locator('[data-testid="drop-verdict"]:not([data-verdict="checking"])').waitFor({ timeout: 30_000 });
  verdicts.push(
    `${await target.getByTestId("drop-verdict").getAttribute("data-verdict")}: ${await target.getByTestId("drop-verdict").textContent()}`,
  );
  const fb = await page.evaluate(() => (window as unknown as { fb: { t0: number; t1: number; t2: number } }).fb);
  feedback.push(fb.t1 - fb.t0);
  full.push(fb.t2 - fb.t0);
  await page.keyboard.press("Escape");
  await page.mouse.up();
}
// Find: from the input event that typed a domain's name to its card (or row) in the DOM and on screen, and every
// other domain gone; in the cards view, then in the table view
const findTimes: Record<string, number[]> = { cards: [], table: [] };
// the drags are over: no dragged card left, nothing open over the page (dnd-kit gives focus back after a drag)
await page.getByTestId("drag-preview").waitFor({ state: "detached" });
await page.locator("dialog[open]").waitFor({ state: "detached" });
await page.getByTestId("find-text").focus();
const sought = (i: number) =>
  `sim${String(((Math.ceil(HOSTS / 2) + i * 7 - 1) % HOSTS) + 1).padStart(3, "0")}-vm${String((i % DOMAINS) + 1).padStart(2, "0")}`;
const switchTimes: number[] = [];
for (const view of ["cards", "table"] as const) {
  if (view === "table") {
    const t0 = Date.now();
    await page.getByTestId("view-table").click();
    await page.locator('[data-testid^="row-"]').first().waitFor();
    switchTimes.push(Date.now() - t0);
  }
  for (let i = 0; i < 5; i++) {
    const name = sought(i);
    const testId = view === "cards" ? `domain-${name}` : `row-${name}`;
    await page.evaluate(`(() => {
      window.ff = {};
      document.querySelector('[data-testid="find-text"]').addEventListener("input", (e) => { window.ff.t0 = e.timeStamp; }, { once: true });
      const seen = () => {
        const el = document.querySelector('[data-testid="${testId}"]');
        if (!el || window.ff.t1 !== undefined) return;
        const r = el.getBoundingClientRect();
        const others = ${view === "cards" ? `document.querySelectorAll('li[data-testid^="domain-"]').length` : `Number(document.querySelector('[data-testid="domain-table"]').dataset.rows)`};
        if (r.top < innerHeight && r.bottom > 0 && others === 1) { window.ff.t1 = performance.now(); obs.disconnect(); }
      };
      const obs = new MutationObserver(seen);
      obs.observe(document.querySelector('[data-testid="cluster"]'), { subtree: true, childList: true, attributes: true });
    })()`);
    await page.getByTestId("find-text").fill(name);
    // a fill that did not take (twice in about 20 runs beside a CPU hog: the box empty, no input event) fails here
    // with what the page showed, not as a 30 s wait
    const typed = await page.getByTestId("find-text").inputValue();
    if (typed !== name) throw new Error(`the Find box holds "${typed}" after typing "${name}"`);
    await page
      .waitForFunction(() => (window as unknown as { ff: { t1?: number } }).ff.t1 !== undefined, undefined, {
        timeout: 30_000,
      })
      .catch(async (e) => {
        // what the page showed instead
        console.error(
          await page.evaluate(
            `JSON.stringify({ find: document.querySelector('[data-testid="find-text"]').value, scrollY, ff: window.ff, found: document.querySelector('[data-testid="${testId}"]')?.getBoundingClientRect(), cards: document.querySelectorAll('li[data-testid^="domain-"]').length, rows: document.querySelector('[data-testid="domain-table"]')?.dataset.rows, first: document.querySelector('section[data-testid^="host-"]')?.dataset.testid, dialog: document.querySelector('dialog[open],[role=dialog]')?.textContent?.slice(0, 80), active: document.activeElement?.outerHTML?.slice(0, 80) })`,
          ),
        );
        throw e;
      });
    findTimes[view].push(
      await page.evaluate(() => {
        const ff = (window as unknown as { ff: { t0: number; t1: number } }).ff;
        return ff.t1 - ff.t0;
      }),
    );
    await page.getByTestId("find-text").fill("");
    await page
      .locator('li[data-testid^="domain-"], [data-testid="domain-table"]:not([data-rows="1"])')
      .first()
      .waitFor();
  }
}
await page.getByTestId("view-cards").click();
// RUNNING=K: then K live migrations at once (hosts from sim011 on, each into the next), and the Cluster page watched
// while they run: every running job's summaries reach every browser, several a second each
let whileRunning: { seconds: number; fps: number; longTaskMs: number; longTasks: number; running: number } | null =
  null;
if (RUNNING) {
  const idOf = (name: string) => ferry.services.inventory.snapshot().find((h) => h.name === name)!.id;
  const ids: string[] = [];
  await page.evaluate(`(() => {
    window.watch = { frames: 0, long: 0, longMs: 0 };
    const tick = () => { window.watch.frames++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.watch.long++; window.watch.longMs += e.duration; } }).observe({ type: "longtask" });
  })()`);
  // submitted together: one after another, the first would end before the last began
  ids.push(
    ...(
      await Promise.all(
        Array.from({ length: RUNNING }, (_, k) =>
          ferry.services.jobs.submit({
            domain: `sim${String(11 + k).padStart(3, "0")}-vm01`,
            sourceId: idOf(`sim${String(11 + k).padStart(3, "0")}`),
            targetId: idOf(`sim${String(12 + k).padStart(3, "0")}`),
            createdBy: "bench",
            confirmWarnings: true,
          }),
        ),
      )
    ).map((j) => j.id),
  );
  const runningNow = () =>
    ferry.services.jobs.activeSummaries().filter((j) => ids.includes(j.id) && j.status === "running").length;
  // for five seconds from the moment all run (or the first has reached activation: it is about to end)
  while (
    runningNow() < RUNNING &&
    !ferry.services.jobs.activeSummaries().some((j) => ids.includes(j.id) && j.phase === "activation")
  )
    await new Promise((r) => setTimeout(r, 20));
  const running = runningNow();
  const w0 = (await page.evaluate(`({ ...window.watch, t: performance.now() })`)) as {
    frames: number;
    long: number;
    longMs: number;
    t: number;
  };
  await new Promise((r) => setTimeout(r, 5_000));
  const w1 = (await page.evaluate(`({ ...window.watch, t: performance.now() })`)) as typeof w0;
  const seconds = (w1.t - w0.t) / 1000;
  whileRunning = {
    seconds,
    fps: (w1.frames - w0.frames) / seconds,
    longTaskMs: w1.longMs - w0.longMs,
    longTasks: w1.long - w0.long,
    running,
  };
  for (const id of ids) await ferry.services.jobs.whenFinished(id);
}
await browser.close();
await ferry.close();
hog?.kill();
sim.kill("SIGTERM");
fs.rmSync(dir, { recursive: true, force: true });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `Cluster page in Chromium at ${HOSTS} hosts × ${DOMAINS} domains = ${HOSTS * DOMAINS} (${cards} cards in the DOM at the top of the page)${hog ? ", a CPU hog beside it" : ""}; load ${os.loadavg()[0].toFixed(2)}:`,
);
// on the page's clock: from the navigation's start (the click a person makes; the page before it unloads within
// it) to the first frame that shows the stream live — once hydrated, its cards draggable. The driver's figure adds
// Playwright's own round trips, through a process that is also Ferry's server (its loop's lateness below).
const onPage = phases.map((p) => Math.round(p.marks.live ?? Number.NaN));
console.log(
  `  time to interactive, on the page's clock (navigation → the first frame showing the stream live, hydrated), median of 3: ${med(onPage)} ms (goal ≤ ${HOSTS * DOMAINS > 4000 ? 2000 : 1000} ms); runs ${onPage.join(", ")} ms`,
);
console.log(
  `  the same as Playwright's driver saw it (goto → stream live and a card draggable), median of 3: ${med(tti)} ms; runs ${tti.join(", ")} ms`,
);
console.log(
  `  every host whole (its outline replaced from the snapshot; the driver's clock), median of 3: ${med(whole)} ms; runs ${whole.join(", ")} ms`,
);
const ph = phases[onPage.indexOf(med(onPage))];
console.log(`    of which: ${describeLoad(ph)}`);
console.log(
  `    Ferry's event loop during the loads (its process also drives the browser): late by p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
);
console.log(
  `  the page left alone over 3 inventory refreshes: the stream brought ${idle.views} host views, ${idle.mib.toFixed(2)} MiB; long tasks (> 50 ms) ${idle.long}, ${idle.longMs.toFixed(0)} ms in all`,
);
console.log(
  `  card dragged over a host → its verdict in the DOM (the browser's own checks), median of 5: ${med(feedback).toFixed(0)} ms (goal ≤ 25 ms); runs ${feedback.map((f) => f.toFixed(0)).join(", ")} ms`,
);
console.log(
  `  card dragged over a host → the server's full checks (storage, SSH from source to target, link probe), median of 5: ${med(full).toFixed(0)} ms; runs ${full.map((f) => f.toFixed(0)).join(", ")} ms`,
);
console.log(`  the server's verdicts: ${[...new Set(verdicts)].join(" | ")}`);
console.log(
  `  Find a domain by name → its card on screen, the rest gone, median of 5: ${med(findTimes.cards).toFixed(0)} ms (goal ≤ 100 ms); runs ${findTimes.cards.map((f) => f.toFixed(0)).join(", ")} ms`,
);
console.log(
  `  the same in the table view: ${med(findTimes.table).toFixed(0)} ms; runs ${findTimes.table.map((f) => f.toFixed(0)).join(", ")} ms (switching to the table: ${switchTimes[0]} ms)`,
);
if (whileRunning)
  console.log(
    `  while ${RUNNING} migrations ran (${whileRunning.running} running at the start), over ${whileRunning.seconds.toFixed(1)} s: the page drew ${whileRunning.fps.toFixed(0)} frames a second; long tasks (> 50 ms) ${whileRunning.longTasks}, ${whileRunning.longTaskMs.toFixed(0)} ms in all`,
  );
process.exit(0);
