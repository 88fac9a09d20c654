import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { loginAs } from "../auth";
import { LAB } from "../env";
import { ClusterPage } from "../pages/cluster-page";
import { drag } from "../drag";
import { guestConsole } from "./guest-console";
import { awaitGuestVerdict, readGuest } from "./verifier";
import { CHECKED_MIB, DISK_GUEST, DISK_PATH, removeDiskGuest, startDiskGuest } from "./disk-guest";

// A guest whose disk is on its host's own storage, not shared (issue 31): a qcow2 file in hostB's own
// /var/lib/libvirt/images (each lab host has its own /var). The guest writes and verifies the disk's first 8 MiB all
// the time (its disk checker, e2e/lab/guest/labvm-verify.c with a device: every page read back from the disk as it
// last wrote it). Ferry moves it live to hostC through the UI — libvirt's --copy-storage-all into a copy Ferry creates
// first — and the hosts are asked afterwards: the guest runs on hostC only, its disk checker reads every page back
// from hostC's copy as it wrote it (writes made during the copy included), the rest of the disk is byte for byte what
// hostB's holds, and the guest's memory checker found every page.
// Runs after lab.spec.ts (one worker, files in order), which registers hostB and hostC.

// Skipped, with the reason, only where the lab cannot be built (it needs root and Debian 12's packages):
// `.ci/run` builds it before `npm test`, so CI always runs this suite.
const labUp = fs.existsSync(path.join(LAB.dir, "lab.env"));
test.skip(
  !labUp,
  `the real-host lab is not up (no ${LAB.dir}/lab.env): build it with \`sudo npm run lab:up\` (e2e/lab/up.sh, Debian 12, root)`,
);
test.describe.configure({ mode: "serial" });

type LabHost = "hostB" | "hostC";
const GUEST = DISK_GUEST;
const DISK = DISK_PATH;

function hx(host: LabHost, ...argv: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(path.join(LAB.dir, "bin", "hx"), [host, ...argv], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, stdout, stderr: "" };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}
const must = (host: LabHost, ...argv: string[]) => {
  const r = hx(host, ...argv);
  expect(r.code, `${host}: ${argv.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const domstate = (host: LabHost) => {
  const r = hx(host, "virsh", "domstate", GUEST);
  return r.code === 0 ? r.stdout.trim() : null;
};
/** A host's file, copied out to this machine (each lab host's /var is its own). */
function fetchFile(host: LabHost, file: string, to: string) {
  fs.writeFileSync(to, execFileSync(path.join(LAB.dir, "bin", "hx"), [host, "cat", file], { maxBuffer: 1 << 30 }));
}
const consoleText = () => guestConsole(LAB.dir, GUEST);

test.beforeAll(async () => {
  const booted = consoleText().length;
  startDiskGuest(LAB.dir, "hostB");
  await expect
    .poll(() => readGuest(consoleText().slice(booted)).beats.length, {
      timeout: 90_000,
      message: "the guest's checker counts",
    })
    .toBeGreaterThan(0);
  await expect
    .poll(() => readGuest(consoleText().slice(booted), "labdisk").beats.length, {
      timeout: 60_000,
      message: "the guest's disk checker counts (the guest sees its disk as /dev/vda)",
    })
    .toBeGreaterThan(0);
});

test.afterAll(() => removeDiskGuest(LAB.dir));

test("drag a guest with a disk on hostB's own storage to hostC: copied live, the same bytes on hostC, the guest whole", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await loginAs(page, "operator", "/", LAB.dataDir);
  const cluster = new ClusterPage(page);
  await cluster.open();
  const card = cluster.domain("hostB", GUEST);
  await expect(card.getByTestId("domain-state")).toHaveText("running", { timeout: 30_000 });
  const { drop } = await drag(page, card, cluster.host("hostC"));
  await expect(cluster.host("hostC").getByTestId("drop-verdict")).toHaveAttribute("data-verdict", /^(ok|warn)$/, {
    timeout: 30_000,
  });
  await drop();

  const dialog = page.getByTestId("migrate-dialog");
  const storage = dialog.getByTestId("check-storage");
  await expect(storage).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  await expect(storage).toContainText(`Copied live to the same path on hostC, before the memory: vda (${DISK}, qcow2`);
  await expect(dialog.getByTestId("forecast-disks")).toContainText("while the disks are copied first");
  await dialog.getByTestId("opt-downtime").fill("1500");
  await expect(dialog).toHaveAttribute("data-fresh", "true");
  if (await dialog.getByTestId("confirm-warnings").isVisible()) await dialog.getByTestId("confirm-warnings").check();
  const before = consoleText();
  await dialog.getByTestId("migrate-start").click();
  await expect(dialog).toHaveCount(0);

  const jobCard = page.locator(`[data-testid="job-card-${GUEST}"][data-kind="migrate"]`);
  await expect(jobCard.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  await jobCard.getByTestId("job-link").click();
  await expect(page.getByTestId("job-log")).toContainText("--copy-storage-all --migrate-disks vda");
  await expect(page.getByTestId("job-location")).toContainText(`${GUEST} runs on hostC`);
  await expect(page.getByTestId("job-location")).toContainText(
    `hostB keeps the files it ran from, no longer used: ${DISK}`,
  );
  await expect(page.getByTestId("disk-copy")).toBeVisible();
  await page.screenshot({ path: "test-results/lab-local-disk-job.png", fullPage: true });

  // the hosts: running on hostC only, its disk there, and libvirt on hostC uses it
  expect(domstate("hostC")).toBe("running");
  expect(domstate("hostB")).toBeNull();
  expect(must("hostC", "virsh", "domblklist", GUEST)).toContain(DISK);
  // the disk: the guest's checker read every page back from hostC's copy as it wrote it, since the job ended too
  const disk = await awaitGuestVerdict(consoleText, before, {
    tag: "labdisk",
    ended: consoleText(),
    timeoutMs: 90_000,
  });
  expect(disk.violations).toEqual([]);
  expect(disk.checkedAll).toBe(true);
  // and past the part it writes, hostC's copy holds hostB's bytes (QEMU's own reading of both images, as raw)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-disk-"));
  try {
    const raw = (host: LabHost) => {
      fetchFile(host, DISK, path.join(tmp, `${host}.qcow2`));
      execFileSync("qemu-img", [
        "convert",
        "-O",
        "raw",
        path.join(tmp, `${host}.qcow2`),
        path.join(tmp, `${host}.raw`),
      ]);
      return fs.readFileSync(path.join(tmp, `${host}.raw`));
    };
    const [b, c] = [raw("hostB"), raw("hostC")];
    expect(c.length).toBe(b.length);
    const rest = CHECKED_MIB * 1024 * 1024;
    expect(Buffer.compare(b.subarray(rest), c.subarray(rest))).toBe(0);
    console.log(
      `lab local disk — the guest's disk checker on hostC: ${disk.last?.verified} pages verified, ${disk.last?.mismatches} mismatches; the other ${(b.length - rest) / 1024 / 1024} MiB identical on both hosts`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // the guest ran on, its memory whole
  const v = await awaitGuestVerdict(consoleText, before, { ended: consoleText(), timeoutMs: 60_000 });
  expect(v.violations).toEqual([]);
  expect(v.checkedAll).toBe(true);
});
