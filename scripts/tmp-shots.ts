import { chromium } from "@playwright/test";
import { startInstances } from "../sim/scale/instances";
const t = await startInstances({ pgUrl: "postgresql://ferry@127.0.0.1:55432/ferry", count: 2, port: 3910, simBasePort: 2911, simControlPort: 2998, dir: "/tmp/ferry-shots", env: { FERRY_LEASE_MS: "3000" } });
const h = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
try {
  console.log("readyz", await (await fetch(`${t.instances[0].url}/readyz`)).text(), await (await fetch(`${t.instances[1].url}/readyz`)).text());
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox"] });
  for (const [w, name] of [[1280, "desktop"], [390, "phone"]] as const) {
    const page = await browser.newPage({ viewport: { width: w, height: 900 } });
    await page.goto(`${t.instances[1].url}/login`);
    await page.getByTestId("login-username").fill(t.admin.username);
    await page.getByTestId("login-password").fill(t.admin.password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("logout").waitFor();
    const hosts = (await (await fetch(`${t.instances[0].url}/api/hosts`, { headers: h })).json()).hosts;
    const a = hosts.find((x: any) => x.name === "kvmA"), b = hosts.find((x: any) => x.name === "kvmB");
    const from = a.domains.some((d: any) => d.name === "web-kvm") ? a : b;
    const to = from === a ? b : a;
    const r = await fetch(`${t.instances[0].url}/api/jobs`, { method: "POST", headers: h, body: JSON.stringify({ kind: "migrate", domain: "web-kvm", sourceId: from.id, targetId: to.id, confirmWarnings: true }) });
    const id = (await r.json()).job.id;
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `/tmp/shot-cluster-${name}.png` });
    await page.goto(`${t.instances[1].url}/jobs/${id}`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/shot-job-${name}.png`, fullPage: false });
    // wait for the job to end before the next width
    for (;;) { const j = await (await fetch(`${t.instances[1].url}/api/jobs/${id}`, { headers: h })).json(); if (!["queued","checking","running"].includes(j.job.status)) break; await new Promise((r) => setTimeout(r, 300)); }
    await page.close();
  }
  await browser.close();
} finally {
  await t.stop();
}
