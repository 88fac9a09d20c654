import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { loginAs } from "../auth";
import { LAB } from "../env";
import { drag } from "../drag";
import { ClusterPage } from "../pages/cluster-page";
import { HostsPage } from "../pages/hosts-page";
import { awaitGuestVerdict, readGuest } from "./verifier";
import { xenHosts, xlRow } from "./xen-host";

// A real Xen host: Debian's Xen 4.17 booted under QEMU by `scripts/xen-capture.sh` in serve mode (XEN_MODE=serve),
// dom0 with OpenSSH on 127.0.0.1:2622 and the PV guest "capture" running. Ferry adds it like any host and saves
// and restores the guest through the real xl; every step is checked by asking xl itself over SSH. Then a second Xen
// host ("xen417b", booted the same way, linked to the first and trusting its key: e2e/lab/xen-host.ts) is added,
// and the guest is moved there by save, copy and restore (issue 31: the hosts share no storage), checked by xl on
// both hosts and by the guest's own memory checker on the second host's console.
// (Live migration needs log-dirty paging, which Debian's Xen under emulation refuses: the recorded refusal is in
// lib/toolstacks/xl/fixtures/xen417 and its handling in xen417.test.ts.)

const qemu = ["/usr/bin/qemu-system-x86_64", "/bin/qemu-system-x86_64"].some((f) => fs.existsSync(f));
// Skipped, with the reason, only on a machine without QEMU (the Xen host is emulated; no Xen machine is needed):
// .ci/run installs qemu-system-x86, so CI always runs this suite, and it fails (does not skip) if Xen will not boot.
test.skip(
  !qemu,
  "no qemu-system-x86_64 on this machine: the real Xen host boots under QEMU (apt install qemu-system-x86)",
);
test.describe.configure({ mode: "serial" });

const host = xenHosts[1];
let conf: Record<string, string> = {};
let startedHere = false;
test.beforeAll(() => {
  // a Xen host started by hand (`npm run xen:up`) is used as it is; otherwise this suite boots one (~45 s after
  // .ci/run's capture has the packages) and stops it after, so it costs no CPU while the other suites run
  test.setTimeout(600_000);
  startedHere = host.ensure();
  conf = host.conf();
  // a rerun may find the guest saved away by an earlier run: start it again from its config; an image an earlier
  // run left in the host's (test-only) image directory goes
  if (!xlRow(host, GUEST)) expect(xen("xl create /etc/xen/capture.cfg").code).toBe(0);
  expect(xen(`rm -f ${IMAGES}/*.save`).code).toBe(0);
});
let secondStartedHere = false;
test.afterAll(() => {
  if (startedHere) host.stop();
  if (secondStartedHere) xenHosts[2].stop();
});

const HOST = host.name;
const GUEST = "capture";
const IMAGES = "/var/lib/xen/images";
/** The PV guest's memory checker (e2e/lab/guest/labvm-verify.c, built into its initramfs by scripts/xen-capture.sh). */
const CHECKER = "capture-guest";
/** The PV guest's disk, a sparse raw file on the first host's own storage, and its checker (scripts/xen-capture.sh). */
const DISK = "/var/lib/xen/disks/capture.img";
const DISK_CHECKER = "capture-disk";
/** The PV guest's console as xenconsoled logs it in dom0 (`--log=guest`, scripts/xen-capture.sh). */
const consoleLog = `/var/log/xen/console/guest-${GUEST}.log`;
const guestLog = () => xen(`cat ${consoleLog}`).stdout;
const xen = (command: string) => host.run(command);

test("add the real Xen host through the UI: its key, xl 4.17, and the PV guest it runs", async ({ page }) => {
  test.setTimeout(120_000);
  await loginAs(page, "admin", "/hosts", LAB.dataDir);
  const hosts = new HostsPage(page);
  await hosts.open();
  await hosts.fill({ name: HOST, address: "127.0.0.1", port: conf.XEN_SSH_PORT, keyPath: conf.XEN_SSH_KEY });
  await page.getByTestId("field-imagedir").fill(IMAGES);
  await hosts.fetchKey();
  const fingerprint = /SHA256:\S+/.exec(
    execFileSync("ssh-keygen", ["-lf", conf.XEN_HOST_KEY], { encoding: "utf8" }),
  )![0];
  await expect(page.getByTestId("fingerprint")).toHaveText(fingerprint, { timeout: 30_000 });
  await hosts.accept();
  await expect(hosts.row(HOST)).toBeVisible({ timeout: 90_000 }); // a slow dom0's first look may take a minute
  await expect(hosts.row(HOST).getByTestId("host-toolstack")).toHaveText("xl");
  // the row says the version once the inventory's own first look is in (up to a minute on this slow dom0)
  await expect(hosts.row(HOST)).toContainText("4.17", { timeout: 90_000 });

  const cluster = new ClusterPage(page);
  await cluster.open();
  // running, busy or idle: xl prints r----- or -b---- as the emulated guest happens to be scheduled (both run)
  await expect(cluster.domain(HOST, GUEST).getByTestId("domain-state")).toHaveAttribute(
    "data-state",
    /^(running|idle)$/,
    { timeout: 60_000 },
  );
  await page.screenshot({ path: "test-results/xen-host.png", fullPage: true });
});

test("save the PV guest with the real xl, then restore it: xl says it is gone, then running and using CPU again", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await loginAs(page, "operator", "/", LAB.dataDir);
  const cluster = new ClusterPage(page);
  await cluster.open();
  expect(xlRow(host, GUEST), "xl runs the guest before the save").not.toBeNull();
  // the guest's memory checker has counted at least once: its console (logged by xenconsoled) before the job
  await expect.poll(() => readGuest(guestLog(), CHECKER).beats.length, { timeout: 120_000 }).toBeGreaterThan(0);
  const before = guestLog();
  await cluster.domain(HOST, GUEST).getByTestId("domain-save").click();
  const dialog = page.getByTestId("save-dialog");
  await dialog.getByTestId("save-dir").selectOption(IMAGES);
  await dialog.getByTestId("save-start").click();
  const card = page.locator(`[data-testid="job-card-${GUEST}"][data-kind="save"]`);
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  expect(xlRow(host, GUEST), "xl no longer runs the guest: it is in the image").toBeNull();

  await page.goto("/images");
  const row = page.getByTestId(`image-${GUEST}`).first();
  await expect(row.getByTestId("image-integrity")).toHaveText("verified", { timeout: 30_000 });
  await expect(row).toContainText("mode 600");
  await row.getByTestId("image-restore").click();
  const rd = page.getByTestId("restore-dialog");
  const targetId = await rd.getByTestId("restore-target").locator("option", { hasText: HOST }).getAttribute("value");
  await rd.getByTestId("restore-target").selectOption(targetId!);
  await rd.getByTestId("restore-check").click();
  await expect(rd.getByTestId("rcheck-checksum")).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await expect(rd.getByTestId("rcheck-not-running")).toHaveAttribute("data-status", "ok");
  await rd.getByTestId("restore-start").click();
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  await expect(page.getByTestId("job-location")).toContainText(GUEST);
  await page.screenshot({ path: "test-results/xen-restore-job.png", fullPage: true });

  // xl's word: the guest runs again, and its CPU time grows (it keeps rewriting its memory)
  const after = xlRow(host, GUEST);
  expect(after, "xl runs the restored guest").not.toBeNull();
  await expect
    .poll(() => xlRow(host, GUEST)?.cpu ?? -1, { timeout: 60_000, message: "the restored guest's CPU time grows" })
    .toBeGreaterThan(after!.cpu);
  // the guest's own word: it goes on from where the save stopped it (its checker's counters) with every page whole
  const v = await awaitGuestVerdict(guestLog, before, { tag: CHECKER, ended: guestLog(), timeoutMs: 120_000 });
  console.log(
    `xen save and restore — the guest's checker: ${v.violations.join("; ") || `every page whole, pass ${v.last?.passes}`}`,
  );
  expect(v.violations, "the PV guest's memory checker after save and restore").toEqual([]);
  expect(v.checkedAll).toBe(true);

  // the image is deleted through Ferry, which removes the file on the Xen host over SSH
  const api = page.request;
  const headers = { "x-csrf-token": (await (await api.get("/api/auth/session")).json()).csrfToken as string };
  const images = ((await (await api.get("/api/images")).json()).images as { id: string; path: string }[]).filter((i) =>
    i.path.startsWith(`${IMAGES}/`),
  );
  expect(images.length).toBe(1);
  const del = await api.delete(`/api/images/${images[0].id}`, { headers });
  expect(del.status(), await del.text()).toBe(200);
  expect(xen(`ls ${IMAGES}`).stdout.trim()).toBe("");
});

test("move the PV guest to a second real Xen host by save, copy and restore: xl runs it there only, its memory whole", async ({
  page,
}) => {
  test.setTimeout(900_000);
  // the second Xen host: no guest, the link to the first (192.168.77.0/24) and root's key for it
  const second = xenHosts[2];
  secondStartedHere = second.ensure();
  const c2 = second.conf();
  // a rerun finds there what an earlier run moved (the guest, its disk: the target keeps what a move copied); this
  // host is the suite's own, so it goes
  if (xlRow(second, GUEST)) expect(second.run(`xl destroy ${GUEST}`).code).toBe(0);
  expect(second.run(`rm -f ${IMAGES}/*.save ${DISK} ${consoleLog}`).code).toBe(0);
  await loginAs(page, "admin", "/hosts", LAB.dataDir);
  const hosts = new HostsPage(page);
  await hosts.open();
  await hosts.fill({ name: second.name, address: "127.0.0.1", port: c2.XEN_SSH_PORT, keyPath: c2.XEN_SSH_KEY });
  await page.getByTestId("field-imagedir").fill(IMAGES);
  await hosts.fetchKey();
  const fingerprint = /SHA256:\S+/.exec(execFileSync("ssh-keygen", ["-lf", c2.XEN_HOST_KEY], { encoding: "utf8" }))![0];
  await expect(page.getByTestId("fingerprint")).toHaveText(fingerprint, { timeout: 30_000 });
  await hosts.accept();
  await expect(hosts.row(second.name)).toContainText("4.17", { timeout: 120_000 });

  await expect.poll(() => readGuest(guestLog(), CHECKER).beats.length, { timeout: 120_000 }).toBeGreaterThan(0);
  const before = guestLog();
  const cluster = new ClusterPage(page);
  await cluster.open();
  const d = await drag(page, cluster.domain(HOST, GUEST), cluster.host(second.name));
  await expect(cluster.host(second.name).getByTestId("drop-verdict")).toBeVisible({ timeout: 60_000 });
  await d.drop();
  const dialog = page.getByTestId("migrate-dialog");
  await dialog.getByTestId("move-start").click();
  // the hosts share no storage: the image and the guest's disk (on xen417's own storage) are copied while the guest
  // is stopped, and the checks and the outage say so
  await expect(dialog.getByTestId("move-outage")).toContainText(`${GUEST} is stopped for the whole move: about`, {
    timeout: 120_000,
  });
  await dialog.getByTestId("move-accept").check();
  await dialog.getByTestId("move-confirm").click();
  const card = page.locator(`[data-testid="job-card-${GUEST}"][data-kind="move"]`).first();
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", /^(succeeded|failed|interrupted)$/, {
    timeout: 600_000,
  });
  const jobs = (await (await page.request.get(`/api/jobs?domain=${GUEST}`)).json()).jobs as {
    id: string;
    kind: string;
  }[];
  const { job } = await (await page.request.get(`/api/jobs/${jobs.find((j) => j.kind === "move")!.id}`)).json();
  console.log(`xen move ${HOST} → ${second.name} — ${job.status}: ${job.errorMessage ?? ""} ${job.locationNote}`);
  expect(job.status).toBe("succeeded");
  expect(job.locationHost).toBe(second.name);
  await page.goto(`/jobs/${job.id}`);
  // its copy phase ran (the timeline used to say "No copy: shared storage" on a page opened after the job)
  await expect(page.locator('[data-phase="commitment"]')).toHaveAttribute("data-state", "done");
  // the image's copy, as the second host's disk counted it, ended whole
  await expect(page.getByTestId("file-copy-the memory image")).toContainText("whole");
  await expect(page.getByTestId("file-copy-xvda")).toContainText("whole");
  expect(job.locationNote).toContain(`${HOST} keeps the files it ran from, no longer used: ${DISK}`);
  await page.screenshot({ path: "test-results/xen-move-job.png", fullPage: true });

  // xl's word on both hosts: gone from the first, running on the second and using CPU there
  expect(xlRow(host, GUEST), "xl on the first host no longer knows the guest").toBeNull();
  const there = xlRow(second, GUEST);
  expect(there, "xl on the second host runs the guest").not.toBeNull();
  await expect
    .poll(() => xlRow(second, GUEST)?.cpu ?? -1, { timeout: 60_000, message: "its CPU time grows on the second host" })
    .toBeGreaterThan(there!.cpu);
  // the guest's own word, on the second host's console log: it went on from where the save stopped it, every page whole
  const secondLog = () => second.run(`cat ${consoleLog}`).stdout;
  const v = await awaitGuestVerdict(secondLog, before, { tag: CHECKER, ended: "", timeoutMs: 180_000 });
  console.log(
    `xen move — the guest's checker on ${second.name}: ${v.violations.join("; ") || `every page whole, pass ${v.last?.passes}`}`,
  );
  expect(v.violations, "the PV guest's memory checker after the move").toEqual([]);
  expect(v.checkedAll).toBe(true);
  // and its disk checker: every page it wrote on xen417's disk read back from the copy on xen417b
  const dv = await awaitGuestVerdict(secondLog, before, { tag: DISK_CHECKER, ended: "", timeoutMs: 180_000 });
  console.log(
    `xen move — the guest's disk checker on ${second.name}: ${dv.violations.join("; ") || `every page whole, pass ${dv.last?.passes}`}`,
  );
  expect(dv.violations, "the PV guest's disk checker after the move").toEqual([]);
  expect(dv.checkedAll).toBe(true);
  // the copy kept the disk's holes: 16 MiB file, 4 MiB of data
  expect(second.run(`du -k ${DISK}`).stdout).toMatch(/^4\d{3}\s/);
  // nothing of the move is left in either image directory (its image is deleted after the restore)
  expect(host.run(`ls ${IMAGES}`).stdout.trim()).toBe("");
  expect(second.run(`ls ${IMAGES}`).stdout.trim()).toBe("");
});
