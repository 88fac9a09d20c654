import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { loginAs } from "../auth";
import { LAB } from "../env";
import { ClusterPage } from "../pages/cluster-page";
import { HostsPage } from "../pages/hosts-page";
import { parseDomjobinfo } from "../../lib/toolstacks/virsh/parse";
import { drag } from "../drag";
import { guestConsole } from "./guest-console";
import { awaitGuestVerdict, readGuest } from "./verifier";

// The real-host suite: two hosts in network namespaces with OpenSSH sshd and libvirtd, a QEMU (TCG)
// guest that keeps dirtying 32 MiB (e2e/lab/up.sh). Ferry adds them through the UI, migrates the guest
// live by drag and drop, then saves it on hostC to shared storage and restores it on hostB — checking
// every step with libvirt itself (virsh inside each host) and the guest's own console.

// Skipped, with the reason, only where the lab cannot be built (it needs root and Debian 12's packages):
// `.ci/run` builds it before `npm test`, so CI always runs this suite.
const labUp = fs.existsSync(path.join(LAB.dir, "lab.env"));
test.skip(
  !labUp,
  `the real-host lab is not up (no ${LAB.dir}/lab.env): build it with \`sudo npm run lab:up\` (e2e/lab/up.sh, Debian 12, root)`,
);
test.describe.configure({ mode: "serial" });

const HOSTS = { hostB: "10.77.0.12", hostC: "10.77.0.13" } as const;
type LabHost = keyof typeof HOSTS;
const GUEST = "labvm1";
const SAVES = path.join(LAB.dir, "shared", "saves");

/** Runs a command inside a lab host (its network, mount and UTS namespaces). */
function hx(host: LabHost, ...argv: string[]): { code: number; stdout: string; stderr: string } {
  try {
    return {
      code: 0,
      stdout: execFileSync(path.join(LAB.dir, "bin", "hx"), [host, ...argv], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
      stderr: "",
    };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/** "running" / "shut off" / null (not defined there), from `virsh domstate` on the host. */
function domstate(host: LabHost): string | null {
  const r = hx(host, "virsh", "domstate", GUEST);
  return r.code === 0 ? r.stdout.trim() : null;
}

const consoleText = () => guestConsole(LAB.dir, GUEST);

/**
 * The guest's own word on a job (its memory checker, e2e/lab/verifier.ts): `before` is its console before the job.
 * It ran on, walked all of its memory after the job and found every page as it left it; no new boot, no oops, its
 * counters not gone back to an older state.
 */
async function expectGuestWhole(before: string, job: string) {
  const v = await awaitGuestVerdict(consoleText, before, { ended: consoleText(), timeoutMs: 60_000 });
  console.log(
    `lab ${job} — the guest's checker: ${v.violations.join("; ") || `every page whole, pass ${v.last?.passes}`}`,
  );
  expect(v.violations, `the guest's memory checker after the ${job}`).toEqual([]);
  expect(v.checkedAll, `the guest's checker walked all of its memory after the ${job}`).toBe(true);
}

function fingerprintOf(host: LabHost): string {
  const pub = path.join(LAB.dir, "hosts", host, "ovl", "etc.up", "ssh", "ssh_host_ed25519_key.pub");
  return /SHA256:\S+/.exec(execFileSync("ssh-keygen", ["-lf", pub], { encoding: "utf8" }))![0];
}

test.beforeAll(async () => {
  // the guest boots afresh on hostB for this run (a rerun may find it elsewhere, or running an older initramfs
  // whose checker prints other lines): it runs there only, and its checker has counted once before the first job
  for (const host of ["hostB", "hostC"] as const) if (domstate(host) === "running") hx(host, "virsh", "destroy", GUEST);
  if (domstate("hostC") !== null) hx("hostC", "virsh", "undefine", GUEST);
  if (domstate("hostB") === null)
    expect(hx("hostB", "virsh", "define", path.join(LAB.dir, "shared", "xml", `${GUEST}.xml`)).code).toBe(0);
  const booted = consoleText().length;
  expect(hx("hostB", "virsh", "start", GUEST).code).toBe(0);
  await expect
    .poll(() => readGuest(consoleText().slice(booted)).beats.length, {
      timeout: 90_000,
      message: "the guest's checker counts",
    })
    .toBeGreaterThan(0);
});

test.afterAll(() => {
  // the guest keeps one core busy rewriting its memory under emulation: stopped here so that the suites after this
  // one (the real Xen host) do not share two cores with it; beforeAll starts it again on hostB for the next run
  for (const host of ["hostB", "hostC"] as const) if (domstate(host) === "running") hx(host, "virsh", "destroy", GUEST);
});

test("add the two lab hosts through the UI, comparing their fingerprints with the hosts' own keys", async ({
  page,
}) => {
  await loginAs(page, "admin", "/hosts", LAB.dataDir);
  const hosts = new HostsPage(page);
  await hosts.open();
  for (const [name, address] of Object.entries(HOSTS) as [LabHost, string][]) {
    await hosts.fill({ name, address, port: 22, keyPath: path.join(LAB.dir, "keys", "id_ed25519") });
    await page.getByTestId("field-imagedir").fill(SAVES);
    await hosts.fetchKey();
    await expect(page.getByTestId("fingerprint")).toHaveText(fingerprintOf(name));
    await hosts.accept();
    await expect(hosts.row(name)).toBeVisible({ timeout: 30_000 });
    await expect(hosts.row(name).getByTestId("host-toolstack")).toHaveText("virsh");
    await expect(hosts.row(name)).toContainText("QEMU");
  }
});

test("drag the guest from hostB to hostC: real rounds and QEMU's downtime, then it runs on hostC only and is alive", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await loginAs(page, "operator", "/", LAB.dataDir);
  const cluster = new ClusterPage(page);
  await cluster.open();
  const card = cluster.domain("hostB", GUEST);
  await expect(card.getByTestId("domain-state")).toHaveText("running", { timeout: 30_000 });
  const { drop } = await drag(page, card, cluster.host("hostC"));
  // the server's checks answer while the guest hovers: all pass, or a warning the dialog asks a tick for — the
  // forecast measures the link and the guest's dirty rate now, and on a busy machine may not promise convergence
  // at the default 300 ms; never a refusal (the dialog then shows which checks pass, below)
  const verdict = cluster.host("hostC").getByTestId("drop-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", /^(ok|warn)$/, { timeout: 30_000 });
  console.log(
    `lab migration — drop verdict: ${await verdict.getAttribute("data-verdict")}: ${await verdict.innerText()}`,
  );
  await drop();

  const dialog = page.getByTestId("migrate-dialog");
  for (const id of ["toolstack", "arch", "memory", "storage", "reachable"]) {
    await expect(dialog.getByTestId(`check-${id}`)).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  }
  await expect(dialog.getByTestId("transport")).toContainText("qemu+ssh://root@10.77.0.13/system");
  // libvirt's knobs. A bandwidth limit is refused here: the lab's QEMU runs its guest by software emulation, where
  // every limited migration that completed delivered corrupted memory (README, "A guest's memory, checked")
  await dialog.getByTestId("opt-bandwidth").fill("32");
  await expect(dialog).toHaveAttribute("data-fresh", "true");
  await expect(dialog.getByTestId("check-options")).toHaveAttribute("data-status", "fail");
  await expect(dialog.getByTestId("check-options")).toContainText(
    "hostB runs this guest by software emulation (QEMU without KVM)",
  );
  await expect(dialog.getByTestId("migrate-start")).toBeDisabled();
  await dialog.getByTestId("opt-bandwidth").fill("");
  // a 1.5 s maximum downtime lets QEMU stop the guest once the 32 MiB it keeps dirtying fits (few rounds)
  await dialog.getByTestId("opt-downtime").fill("1500");
  // the checks and the forecast follow the options: wait for their answer before reading its warnings
  await expect(dialog).toHaveAttribute("data-fresh", "true");
  await expect(dialog.getByTestId("check-options")).toHaveCount(0);
  if (await dialog.getByTestId("confirm-warnings").isVisible()) await dialog.getByTestId("confirm-warnings").check();
  const before = consoleText();
  await dialog.getByTestId("migrate-start").click();
  await expect(dialog).toHaveCount(0);

  const jobCard = page.locator(`[data-testid="job-card-${GUEST}"][data-kind="migrate"]`);
  await expect(jobCard.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 120_000 });
  await jobCard.getByTestId("job-link").click();

  // the job page shows QEMU's own figures; libvirt on hostC reports the same
  const completed = parseDomjobinfo(
    hx("hostC", "virsh", "domjobinfo", "--completed", "--keep-completed", GUEST).stdout,
  );
  expect(completed.type).toBe("Completed");
  await expect(page.getByTestId("downtime")).toHaveText(`${completed.totalDowntimeMs} ms`);
  await expect(page.getByTestId("rounds-total")).toHaveText(String(completed.iteration));
  // the rounds as the polls (every 500 ms) caught them; a migration over before the first poll says so instead (CI
  // 2026-12-05: the lab's 128 MiB guest moved in under half a second, and no poll saw a round)
  const chart = page.getByTestId("rounds-chart");
  const empty = page.getByTestId("rounds-empty");
  await expect(chart.or(empty)).toBeVisible();
  if (await empty.isVisible())
    await expect(empty).toHaveText(
      `The migration finished in ${completed.iteration} round${completed.iteration === 1 ? "" : "s"} before a poll (every 500 ms) caught one.`,
    );
  await expect(page.getByTestId("job-location")).toContainText(`${GUEST} runs on hostC`);
  await expect(page.getByTestId("job-log")).not.toContainText("--bandwidth");
  await expect(page.getByTestId("job-log")).toContainText("maximum downtime set to 1500 ms");
  await page.screenshot({ path: "test-results/lab-migration-job.png", fullPage: true });

  // libvirt itself: running on hostC; on hostB not defined any more (--undefinesource)
  expect(domstate("hostC")).toBe("running");
  expect(domstate("hostB")).toBeNull();
  // the guest ran on after the move, with every page of its memory as it left it
  await expectGuestWhole(before, "migration");
  const ui = {
    downtime: await page.getByTestId("downtime").innerText(),
    rounds: await page.getByTestId("rounds-total").innerText(),
    elapsed: await page.getByTestId("elapsed").innerText(),
  };
  console.log(
    `lab migration — job page: downtime ${ui.downtime}, ${ui.rounds} rounds, elapsed ${ui.elapsed} | virsh domjobinfo --completed on hostC: Total downtime ${completed.totalDowntimeMs} ms, Iteration ${completed.iteration}, Time elapsed ${completed.elapsedMs} ms`,
  );
});

test("save the guest on hostC to shared storage, restore it on hostB", async ({ page }) => {
  test.setTimeout(180_000);
  await loginAs(page, "operator", "/", LAB.dataDir);
  const cluster = new ClusterPage(page);
  await cluster.open();
  await expect(cluster.domain("hostC", GUEST).getByTestId("domain-state")).toHaveText("running", { timeout: 30_000 });
  await cluster.domain("hostC", GUEST).getByTestId("domain-save").click();
  const dialog = page.getByTestId("save-dialog");
  await dialog.getByTestId("save-dir").selectOption(SAVES);
  await dialog.getByTestId("save-start").click();
  const card = page.locator(`[data-testid="job-card-${GUEST}"][data-kind="save"]`); // not the migration's card
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 120_000 });
  expect(domstate("hostC")).toBe("shut off"); // saved: the persistent definition stays, nothing runs
  expect(domstate("hostB")).toBeNull();

  await page.goto("/images");
  const row = page.getByTestId(`image-${GUEST}`).first();
  await expect(row.getByTestId("image-integrity")).toHaveText("verified");
  await expect(row).toContainText("mode 600");
  await row.getByTestId("image-restore").click();
  const rd = page.getByTestId("restore-dialog");
  const targetId = await rd.getByTestId("restore-target").locator("option", { hasText: "hostB" }).getAttribute("value");
  await rd.getByTestId("restore-target").selectOption(targetId!);
  await rd.getByTestId("restore-check").click();
  await expect(rd.getByTestId("rcheck-checksum")).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  await expect(rd.getByTestId("rcheck-not-running")).toHaveAttribute("data-status", "ok");
  const before = consoleText();
  await rd.getByTestId("restore-start").click();
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("job-location")).toContainText(`virsh console ${GUEST}`);
  expect(domstate("hostB")).toBe("running");
  // the definition came along from hostC, where the save had kept it: persistent on hostB, gone from hostC
  await expect(page.getByTestId("job-location")).toContainText(
    "It is defined (persistent) on hostB and no longer on hostC.",
  );
  expect(hx("hostB", "virsh", "dominfo", GUEST).stdout).toMatch(/^Persistent:\s+yes$/m);
  expect(domstate("hostC")).toBeNull();
  // it goes on from where the save stopped it (its checker's counters), with every page as it was
  await expectGuestWhole(before, "save and restore");
});

test("an SSH session killed mid-save (real OpenSSH, real libvirt): libvirt finishes the save, and Ferry catalogues the image instead of deleting it", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await loginAs(page, "operator", "/", LAB.dataDir);
  const api = page.request;
  const headers = { "x-csrf-token": (await (await api.get("/api/auth/session")).json()).csrfToken as string };
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as {
    id: string;
    name: string;
    domains: { name: string }[];
  }[];
  const hostB = hosts.find((h) => h.name === "hostB")!;
  expect(domstate("hostB")).toBe("running");
  const beforeSave = consoleText();
  await expect
    .poll(async () =>
      (await (await api.get("/api/hosts")).json()).hosts
        .find((h: { name: string }) => h.name === "hostB")
        .domains.some((d: { name: string }) => d.name === GUEST),
    )
    .toBe(true);
  const res = await api.post("/api/jobs", {
    data: { kind: "save", domain: GUEST, hostId: hostB.id, dir: SAVES },
    headers,
  });
  expect(res.status(), await res.text()).toBe(200);
  const jobId = (await res.json()).job.id as string;
  // the moment libvirt's save job exists, cut every SSH connection into hostB: kill its sshd session processes
  const deadline = Date.now() + 30_000;
  while (!/Operation:\s+Save/.test(hx("hostB", "virsh", "domjobinfo", GUEST).stdout)) {
    if (Date.now() > deadline) throw new Error("the save never started on hostB");
  }
  const pids = [
    ...hx("hostB", "ss", "-tnpH", "state", "established", "( sport = :22 )").stdout.matchAll(/pid=(\d+)/g),
  ].map((m) => m[1]);
  expect(pids.length).toBeGreaterThan(0);
  execFileSync("kill", ["-9", ...pids]);
  await expect
    .poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).job.status, { timeout: 60_000 })
    .toMatch(/^(succeeded|failed|interrupted)$/);
  const { job, events } = (await (await api.get(`/api/jobs/${jobId}`)).json()) as {
    job: { status: string; imagePath: string; locationNote: string };
    events: { type: string; payload: { line?: string } }[];
  };
  const lines = events.filter((e) => e.type === "log").map((e) => e.payload.line ?? "");
  console.log(
    `lab save with its SSH session killed — ${job.status}: ${job.locationNote} | ${lines.filter((l) => l.startsWith("ferry:")).join(" / ")}`,
  );
  expect(
    lines.some((l) => l.includes("lost sight of the save")),
    "Ferry lost its session mid-save",
  ).toBe(true);
  expect(job.status).toBe("succeeded");
  // libvirt's word: the guest no longer runs on hostB, its definition stays (it is persistent there since the restore
  // before took it along from hostC: saved, shut off), the image is whole — it restores and runs
  expect(domstate("hostB")).toBe("shut off");
  expect((fs.statSync(job.imagePath).mode & 0o777).toString(8)).toBe("600");
  const image = (
    (await (await api.get("/api/images")).json()).images as { id: string; path: string; integrity: string }[]
  ).find((i) => i.path === job.imagePath)!;
  expect(image.integrity).toBe("verified");
  const restore = await api.post("/api/jobs", {
    data: { kind: "restore", imageId: image.id, targetId: hostB.id },
    headers,
  });
  expect(restore.status(), await restore.text()).toBe(200);
  const restoreId = (await restore.json()).job.id as string;
  await expect
    .poll(async () => (await (await api.get(`/api/jobs/${restoreId}`)).json()).job.status, { timeout: 60_000 })
    .toBe("succeeded");
  expect(domstate("hostB")).toBe("running");
  await expectGuestWhole(beforeSave, "save with its SSH session killed, then restore");

  // both runs' images (this test's and the one before it) are deleted through Ferry, which removes each file on
  // its host over SSH: a lab kept between runs does not fill its disk with 128 MiB images
  const images = ((await (await api.get("/api/images")).json()).images as { id: string; path: string }[]).filter((i) =>
    i.path.startsWith(`${SAVES}/`),
  );
  expect(images.length).toBeGreaterThanOrEqual(1);
  for (const i of images) {
    const del = await api.delete(`/api/images/${i.id}`, { headers });
    expect(del.status(), await del.text()).toBe(200);
    expect(fs.existsSync(i.path), `${i.path} deleted on the host`).toBe(false);
  }
});

test("evacuate hostB through the UI: the plan, the run, then hostB is empty and the guest runs once, on hostC", async ({
  page,
}) => {
  test.setTimeout(240_000);
  expect(domstate("hostB")).toBe("running");
  await loginAs(page, "operator", "/", LAB.dataDir);
  const cluster = new ClusterPage(page);
  await cluster.open();
  await cluster.host("hostB").getByTestId("host-maintenance-link").click();
  await expect(page.getByTestId("maintenance-page")).toHaveAttribute("data-ready", "1");
  // the guest keeps rewriting 32 MiB: under TCG it needs more than QEMU's default 300 ms stop, so the operator
  // allows it 1.5 s (the plan never exceeds a domain's maximum, and would leave it behind with 300 ms)
  const row = page.getByTestId(`setting-${GUEST}`);
  await row.getByTestId("setting-downtime").fill("1500");
  await row.getByTestId("setting-save").click();
  await expect(page.getByTestId("placement-message")).toHaveText(`Saved ${GUEST}.`);
  await page.getByTestId("plan-evacuate").click();
  await expect(page.getByTestId(`plan-move-${GUEST}`)).toHaveAttribute("data-target", "hostC", { timeout: 60_000 });
  expect(domstate("hostB")).toBe("running"); // the plan moved nothing
  const before = consoleText();
  await page.getByTestId("plan-run").click();
  const board = page.getByTestId("board");
  await expect(board).toHaveAttribute("data-status", "finished", { timeout: 180_000 });
  await expect(board.getByTestId(`board-move-${GUEST}`)).toHaveAttribute("data-state", "succeeded");
  // libvirt's word on both hosts: hostB has nothing left, the guest runs on hostC only
  expect(hx("hostB", "virsh", "list", "--all", "--name").stdout.trim()).toBe("");
  expect(domstate("hostC")).toBe("running");
  await expect(page.getByTestId("maintenance-state")).toHaveAttribute("data-on", "true");
  await expectGuestWhole(before, "evacuation");
});

test("move the guest hostC → hostB by save/restore: it runs on hostB, defined there (persistent) and nowhere else", async ({
  page,
}) => {
  test.setTimeout(240_000);
  expect(domstate("hostC")).toBe("running"); // where the evacuation put it: persistent (live migration's --persistent)
  await loginAs(page, "operator", "/", LAB.dataDir);
  const api = page.request;
  const headers = { "x-csrf-token": (await (await api.get("/api/auth/session")).json()).csrfToken as string };
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const [hostB, hostC] = ["hostB", "hostC"].map((n) => hosts.find((h) => h.name === n)!);
  // the evacuation left hostB in maintenance, where nothing may arrive
  const off = await api.post(`/api/hosts/${hostB.id}/maintenance`, { data: { on: false }, headers });
  expect(off.status(), await off.text()).toBe(200);
  const before = consoleText();
  const res = await api.post("/api/jobs", {
    data: { kind: "move", domain: GUEST, sourceId: hostC.id, targetId: hostB.id, confirmOutage: true },
    headers,
  });
  expect(res.status(), await res.text()).toBe(200);
  const jobId = (await res.json()).job.id as string;
  await expect
    .poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).job.status, { timeout: 180_000 })
    .toMatch(/^(succeeded|failed|interrupted)$/);
  const { job } = (await (await api.get(`/api/jobs/${jobId}`)).json()) as {
    job: { status: string; locationHost: string | null; locationNote: string };
  };
  console.log(`lab move hostC → hostB — ${job.status}: ${job.locationNote}`);
  expect(job.status).toBe("succeeded");
  expect(job.locationHost).toBe("hostB");
  expect(job.locationNote).toContain("It is defined (persistent) on hostB and no longer on hostC.");
  // libvirt's word on both hosts: running and persistent on hostB, not even defined on hostC
  expect(domstate("hostB")).toBe("running");
  expect(hx("hostB", "virsh", "dominfo", GUEST).stdout).toMatch(/^Persistent:\s+yes$/m);
  expect(domstate("hostC")).toBeNull();
  expect(hx("hostC", "virsh", "list", "--all", "--name").stdout.trim()).toBe("");
  // and the guest goes on from where it was: its memory came back, every page of it
  await expectGuestWhole(before, "move");
});

test("the source's link lost early in a live migration (the reservation): the job ends, the guest runs once, no paused copy is left", async ({
  page,
}) => {
  // seen in this lab: hostC's link down 1.2 s after submit, in the reservation, for 13 s — two minutes later the job
  // still ran and held labvm1, and hostB kept "labvm1 paused (migrating)". The link goes down as soon as the job
  // reaches the reservation (if the reservation is over by then, the strike lands in pre-copy; the checks are the same).
  test.setTimeout(420_000);
  expect(domstate("hostB")).toBe("running"); // where the move put it
  await loginAs(page, "operator", "/", LAB.dataDir);
  const api = page.request;
  const headers = { "x-csrf-token": (await (await api.get("/api/auth/session")).json()).csrfToken as string };
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const [hostB, hostC] = ["hostB", "hostC"].map((n) => hosts.find((h) => h.name === n)!);
  const before = consoleText();
  const res = await api.post("/api/jobs", {
    data: {
      kind: "migrate",
      domain: GUEST,
      sourceId: hostB.id,
      targetId: hostC.id,
      // no bandwidth limit: refused where QEMU emulates its guests (the drag test above); the strike comes as soon
      // as the job leaves the checks, well inside the migration's first seconds
      confirmWarnings: true,
    },
    headers,
  });
  expect(res.status(), await res.text()).toBe(200);
  const jobId = (await res.json()).job.id as string;
  const phaseOf = async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).job.phase as string;
  await expect.poll(phaseOf, { timeout: 120_000, intervals: [100] }).not.toBe("pre-migration");
  const struckIn = await phaseOf();
  execFileSync("ip", ["link", "set", "vhostB", "down"]);
  try {
    await new Promise((r) => setTimeout(r, 13_000)); // the outage itself, as seen in the lab
  } finally {
    execFileSync("ip", ["link", "set", "vhostB", "up"]);
  }
  await expect
    .poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).job.status, { timeout: 300_000 })
    .toMatch(/^(succeeded|failed|interrupted|cancelled)$/);
  const { job } = (await (await api.get(`/api/jobs/${jobId}`)).json()) as {
    job: { status: string; locationHost: string | null; locationNote: string; errorMessage: string | null };
  };
  console.log(`lab link loss in ${struckIn} — ${job.status}: ${job.errorMessage ?? ""} ${job.locationNote}`);
  // libvirt's word on both hosts: the guest runs on exactly one, where the job says, and nothing is left paused
  const states = { hostB: domstate("hostB"), hostC: domstate("hostC") };
  const running = (["hostB", "hostC"] as const).filter((h) => states[h] === "running");
  expect(running, JSON.stringify(states)).toHaveLength(1);
  expect(job.locationHost).toBe(running[0]);
  expect(
    Object.values(states).filter((s) => s?.startsWith("paused")),
    JSON.stringify(states),
  ).toEqual([]);
  // where it runs, it runs on with its memory whole
  await expectGuestWhole(before, "link loss");
  // and the domain is free: another job may take it
  const checks = await api.post("/api/checks/migration", {
    data: {
      domain: GUEST,
      sourceId: running[0] === "hostB" ? hostB.id : hostC.id,
      targetId: running[0] === "hostB" ? hostC.id : hostB.id,
    },
    headers,
  });
  expect(checks.status(), await checks.text()).toBe(200);
  expect(
    ((await checks.json()).checks as { id: string; status: string }[]).find((c) => c.id === "no-other-job")?.status,
  ).toBe("ok");
});
