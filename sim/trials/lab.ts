// `npm run trials:lab` (root, after `sudo npm run lab:up`): the fault campaign on the real-host lab — two network
// namespaces with OpenSSH and libvirtd, a real QEMU guest (e2e/lab/up.sh). Each trial live-migrates the guest to
// the other host through Ferry's engine and, at a random moment drawn from the seed, breaks something for real:
// the host's link on the lab bridge set down for a while, libvirtd or sshd killed on either host, the guest's QEMU
// killed, or Ferry's own process SIGKILLed (then a new engine on the same database recovers the job). Then the lab
// is put back (e2e/lab/up.sh is idempotent) and the hosts are asked, not Ferry: `virsh domstate` on both, and the
// guest itself: its memory checker (e2e/lab/guest/labvm-verify.c) must run on where it runs, walk all of its memory
// after the job and find every page as it left it, with no new boot, no oops and its counters not gone back
// (e2e/lab/verifier.ts). TRIALS (default 4), SEED (random, printed), TRIAL (one again).
//
// LAB_DISKS=1: the same with the guest whose disk is on its host's own storage (e2e/lab/disk-guest.ts), moved live
// with its disk (libvirt's --copy-storage-all), each fault struck while the disk is being copied. The hosts are then
// asked about the disk as well: the guest runs with its disk file where it runs, its disk checker reads every page
// back as it wrote it, and a copy left on the host the guest did not end on is one the job names.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../lib/db/client";
import { Inventory } from "../../lib/inventory/inventory";
import { JobEngine } from "../../lib/jobs/engine";
import { percentile } from "../../lib/jobs/history";
import { spawnEngine } from "./engine-process";
import { summaryOf } from "../../lib/jobs/store";
import { isFinal, type JobEvent, type JobSummary } from "../../lib/jobs/types";
import { SshPool } from "../../lib/ssh/pool";
import { rng } from "./plan";
import { awaitGuestVerdict, readGuest } from "../../e2e/lab/verifier";
import { DISK_GUEST, DISK_PATH, removeDiskGuest, startDiskGuest } from "../../e2e/lab/disk-guest";
import {
  LAB,
  LAB_HOSTS,
  boots,
  consoleOf,
  domstate as stateOf,
  hx,
  labUp,
  labUpAsync,
  pidOf,
  qemus as qemusOf,
  record,
  superviseLibvirtd,
  until,
  type LabHost,
} from "./lab-hosts";

const DISKS = Boolean(process.env.LAB_DISKS);
const GUEST = DISKS ? DISK_GUEST : "labvm1";
/**
 * A fault is struck within this long of the disk copy's first figures: the lab's 24 MiB copy took 0.86–1.8 s
 * (2026-12-05), so a fault lands in the copy or just after it — the memory's rounds and libvirt's last steps, where
 * one such fault left the guest's definition behind on the source
 */
const DISK_STRIKE_MS = 1500;
const ENGINE_OPTS = { pollMs: 100, virshPollMs: 200, settlePollMs: 200, reconnectMs: 30_000 };
const domstate = (h: LabHost) => stateOf(GUEST, h);
const consoleLog = () => consoleOf(GUEST);
const qemus = () => qemusOf(GUEST);

type LabFault =
  | { kind: "none"; afterMs: number }
  | { kind: "link-down"; host: LabHost; afterMs: number; forMs: number }
  | { kind: "libvirtd-kill"; host: LabHost; afterMs: number; backAfterMs: number }
  | { kind: "sshd-kill"; host: LabHost; afterMs: number; backAfterMs: number }
  | { kind: "qemu-kill"; afterMs: number }
  | { kind: "ferry-kill"; afterMs: number }
  /** the operator's Cancel (the engine's cancel, as the job page's button) */
  | { kind: "cancel"; afterMs: number };

function draw(seed: number, index: number): LabFault {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const host = r.pick(["hostB", "hostC"] as const);
  // with a disk: counted from the disk copy's first figures, within the seconds the lab's copy takes
  const afterMs = DISKS ? r.int(DISK_STRIKE_MS) : 200 + r.int(3000);
  const kinds = DISKS
    ? (["none", "link-down", "link-down", "libvirtd-kill", "sshd-kill", "ferry-kill", "cancel"] as const)
    : (["none", "link-down", "link-down", "libvirtd-kill", "sshd-kill", "qemu-kill", "ferry-kill"] as const);
  // LAB_FAULT=cancel (or another kind): a campaign of that fault only, its moments still drawn from the seed
  const only = kinds.find((k) => k === process.env.LAB_FAULT);
  const picked = r.pick(kinds);
  switch (only ?? picked) {
    case "none":
      return { kind: "none", afterMs };
    case "link-down":
      // up to 15.5 s: past the 13 s outage after which Ferry's SSH connection once opened no channel again, and
      // every poll and the migration's own command waited for good (the lab spec's reservation test)
      return { kind: "link-down", host, afterMs, forMs: 500 + r.int(15000) };
    // a killed daemon comes back as systemd's Restart= brings it back, within seconds
    case "libvirtd-kill":
      return { kind: "libvirtd-kill", host, afterMs, backAfterMs: 1000 + r.int(5000) };
    case "sshd-kill":
      return { kind: "sshd-kill", host, afterMs, backAfterMs: 1000 + r.int(5000) };
    case "qemu-kill":
      return { kind: "qemu-kill", afterMs };
    case "cancel":
      return { kind: "cancel", afterMs };
    default:
      return { kind: "ferry-kill", afterMs };
  }
}

const words = (f: LabFault, src: LabHost) => {
  const who = (h: LabHost) => `${h} (${h === src ? "source" : "target"})`;
  const at = `${f.afterMs} ms ${DISKS ? "into the disk copy" : "in"}`;
  switch (f.kind) {
    case "none":
      return "no fault";
    case "link-down":
      return `${who(f.host)}'s link down ${at}, for ${f.forMs} ms`;
    case "libvirtd-kill":
      return `libvirtd killed on ${who(f.host)} ${at}, back ${f.backAfterMs} ms later`;
    case "sshd-kill":
      return `sshd killed on ${who(f.host)} ${at}, back ${f.backAfterMs} ms later`;
    case "qemu-kill":
      return `the guest's QEMU killed ${at}`;
    case "ferry-kill":
      return `Ferry SIGKILLed ${at}`;
    case "cancel":
      return `Cancel pressed ${at}`;
  }
};
/** the first figures of the disk copy (libvirt's "File" lines), as the engine emits them */
const diskCopying = (e: JobEvent) => e.type === "jobinfo" && e.payload.diskTotal != null;

async function waitFinal(db: Db, engine: JobEngine, id: string) {
  const end = Date.now() + 180_000;
  for (;;) {
    const row = await db.job.findUniqueOrThrow({ where: { id } });
    if ((isFinal(row.status as JobSummary["status"]) && !engine.activeJobOn(row.domainName)) || Date.now() > end)
      return summaryOf(row);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function trial(seed: number, index: number) {
  const fault = draw(seed, index);
  const violations: string[] = [];
  /** what the guest's checker said about its memory after the job */
  let memory = "not verified: the guest runs nowhere";
  /** what the campaign did after the job, as an operator would have */
  const notes: string[] = [];
  /** and, with a disk, what its disk checker and the hosts' files said */
  let disk = "not verified: the guest runs nowhere";
  // the guest runs on exactly one host before (started where it is defined, if it is not running)
  labUp();
  if (DISKS) await diskGuestReady();
  let src = LAB_HOSTS.find((h) => domstate(h) === "running");
  if (!src) {
    src = LAB_HOSTS.find((h) => domstate(h) !== null) ?? "hostB";
    // wait for this boot's first count (not for the count to pass the last boot's: that waited out the minute)
    const before = boots(GUEST).count;
    hx(src, "virsh", "start", GUEST);
    await until(() => boots(GUEST).count > before && boots(GUEST).counting, 60_000);
  }
  const dst: LabHost = src === "hostB" ? "hostC" : "hostB";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-labtrial-"));
  const dbFile = path.join(dir, "ferry.db");
  const { db } = await openDatabase(dbFile);
  const records = [record("hostB"), record("hostC")];
  const inventoryOf = () => {
    const inv = new Inventory(new SshPool());
    for (const r of records) inv.upsert(r);
    return inv;
  };
  let inventory = inventoryOf();
  await inventory.refreshAll();
  let engine = new JobEngine(db, inventory, ENGINE_OPTS);
  const t0 = Date.now();
  // the guest's console from here on: its checker's verdict on the job (e2e/lab/verifier.ts)
  const console0 = consoleLog();
  const qemu0 = new Set(qemus().map((q) => q.pid));
  let recoveryMs: number | null = null;
  let copyFrom: number | undefined;
  let copyMs: number | null = null;
  let job: JobSummary;
  const request = {
    kind: "migrate",
    domain: GUEST,
    sourceId: src,
    targetId: dst,
    createdBy: "trial",
    confirmWarnings: true,
  };
  // what the fault undoes later (a link back up, a daemon back): ended with the trial, so that nothing of it runs
  // beside the trial's own putting back (two up.sh at once raced on the hosts' files) or into the next trial
  const undo: NodeJS.Timeout[] = [];
  let restoring: Promise<void> = Promise.resolve();
  let jobId = "";
  const strike = () => {
    if (fault.kind === "link-down") {
      execFileSync("ip", ["link", "set", `v${fault.host}`, "down"]);
      undo.push(setTimeout(() => execFileSync("ip", ["link", "set", `v${fault.host}`, "up"]), fault.forMs));
    } else if (fault.kind === "libvirtd-kill" || fault.kind === "sshd-kill") {
      process.kill(pidOf(`${fault.host}-${fault.kind === "sshd-kill" ? "sshd" : "libvirtd"}.pid`), "SIGKILL");
      undo.push(
        setTimeout(() => {
          restoring = restoring.then(labUpAsync);
        }, fault.backAfterMs),
      );
    } else if (fault.kind === "cancel") {
      if (jobId) void engine.cancel(jobId).catch(() => {}); // refused past the point of no return: the job runs on
    } else if (fault.kind === "qemu-kill") {
      const pid = execFileSync("pgrep", ["-f", `guest=${GUEST}`], { encoding: "utf8" })
        .trim()
        .split("\n")[0];
      if (pid) process.kill(Number(pid), "SIGKILL");
    }
  };
  // libvirtd started again where it dies by itself, as systemd would; not where the fault kills it (that one stays away)
  const supervisor = superviseLibvirtd(LAB_HOSTS.filter((h) => fault.kind !== "libvirtd-kill" || fault.host !== h));
  if (fault.kind === "ferry-kill") {
    const child = spawnEngine(dbFile, records, request, ENGINE_OPTS, "pipe");
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    // the moment is counted from the job's first event (the child's own start varies with the machine's load)
    await new Promise<void>((resolve) => {
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        if ((DISKS ? /"diskTotal":\d|"type":"result"/ : /"jobId"|"submitted"/).test(buf)) resolve();
      });
      child.once("exit", () => resolve());
    });
    await new Promise((r) => setTimeout(r, fault.afterMs));
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await exited;
    inventory.stop();
    inventory = inventoryOf();
    await inventory.refreshAll();
    engine = new JobEngine(db, inventory, ENGINE_OPTS);
    await engine.recover();
    const row = await db.job.findFirst({ orderBy: { createdAt: "desc" } });
    if (!row) {
      violations.push("the killed Ferry had not stored the job yet (nothing to check: the guest must not have moved)");
      job = { status: "failed", locationHost: src } as JobSummary;
    } else job = await waitFinal(db, engine, row.id);
    recoveryMs = Date.now() - killedAt;
  } else {
    let timer: NodeJS.Timeout | undefined;
    const arm = (e: JobEvent) => {
      // how long the disk copy took: from its first figures to the first of the memory's
      if (diskCopying(e)) copyFrom ??= Date.parse(e.at);
      else if (e.type === "jobinfo" && e.payload.memoryTotal != null && copyFrom !== undefined && copyMs === null)
        copyMs = Date.parse(e.at) - copyFrom;
      if (timer || (DISKS && !diskCopying(e))) return;
      timer = setTimeout(strike, fault.afterMs);
    };
    engine.on("event", arm);
    const submitted = await engine.submit(request as never);
    jobId = submitted.id;
    job = await waitFinal(db, engine, submitted.id);
    engine.off("event", arm);
    clearTimeout(timer);
  }
  // put the lab back (links up, daemons running) once the fault's own undoing is over, then ask libvirt on both hosts
  for (const t of undo) clearTimeout(t);
  await supervisor.stop();
  for (const h of supervisor.died)
    notes.push(`libvirtd on ${h} died during the job (no fault killed it); started again, as systemd would`);
  await restoring;
  for (const h of ["hostB", "hostC"] as const) execFileSync("ip", ["link", "set", `v${h}`, "up"]);
  labUp();
  await until(() => hx("hostB", "virsh", "version").code === 0 && hx("hostC", "virsh", "version").code === 0, 30_000);
  // the operator's step when the job says libvirt still holds its migration job (libvirt 9.0 after a cancel in the
  // disk copy): libvirtd restarted on that host, the guest running on — so that the next trial can move it
  const held = LAB_HOSTS.find((h) => job.locationNote?.includes(`libvirt on ${h} still holds the migration job`));
  if (held) {
    process.kill(pidOf(`${held}-libvirtd.pid`), "SIGKILL");
    labUp();
    await until(() => hx(held, "virsh", "version").code === 0, 30_000);
    notes.push(`libvirtd restarted on ${held}, as the job advised`);
  }
  const states = { hostB: domstate("hostB"), hostC: domstate("hostC") };
  const running = LAB_HOSTS.filter((h) => states[h] === "running");
  const paused = LAB_HOSTS.filter((h) => states[h] === "paused");
  if (!isFinal(job.status)) violations.push(`the job is still ${job.status}`);
  if (paused.length) violations.push(`${GUEST} is paused on ${paused.join(", ")}`);
  // one domain, one definition: libvirt's word on where it is defined (any state), as on where it runs
  const defined = LAB_HOSTS.filter((h) => states[h] !== null);
  if (defined.length > 1)
    violations.push(`${GUEST} is defined on both hosts (${defined.map((h) => `${h}: ${states[h]}`).join(", ")})`);
  if (running.length > 1) violations.push(`${GUEST} runs on BOTH hosts`);
  else if (running.length === 1) {
    if (job.locationHost !== running[0])
      violations.push(
        `${GUEST} runs on ${running[0]}, the job says ${job.locationHost ?? "nowhere"}: ${job.locationNote}`,
      );
    const ended = consoleLog();
    // the QEMU it runs in was started during the job without `-incoming`: a fresh start, its memory lost
    const fresh = qemus().find((q) => !qemu0.has(q.pid) && !q.incoming);
    if (fresh)
      violations.push(
        `${GUEST} was started afresh during the job (QEMU pid ${fresh.pid}, not an incoming migration): its memory was lost`,
      );
    const v = await awaitGuestVerdict(consoleLog, console0, { ended, timeoutMs: 60_000 });
    for (const w of v.violations) violations.push(`${GUEST} on ${running[0]}: ${w}`);
    memory = v.violations.length
      ? `NOT whole: ${v.violations.join("; ")}`
      : `whole: every page checked after the job (the checker at pass ${v.last?.passes}, ${v.last?.mismatches} mismatches)`;
    if (DISKS) {
      const d = await diskVerdict(running[0], running[0] === src ? dst : src, job, console0, ended);
      violations.push(...d.violations);
      disk = d.words;
    }
  } else if (paused.length === 0 && fault.kind !== "qemu-kill")
    violations.push(`${GUEST} runs nowhere (${JSON.stringify(states)}) and no fault killed it`);
  else if (job.locationHost) violations.push(`QEMU was killed and the job says ${GUEST} runs on ${job.locationHost}`);
  else {
    const defined = LAB_HOSTS.filter((h) => states[h] !== null);
    if (defined.length !== 1)
      violations.push(`${GUEST}'s QEMU was killed and it is defined on ${defined.join(", ") || "no host"}`);
    else if (!job.locationNote?.includes(`defined on ${defined[0]}`))
      violations.push(
        `${GUEST} is defined (shut off) on ${defined[0]} and the job does not say so: ${job.locationNote}`,
      );
  }
  inventory.stop();
  // a trial that broke a rule (or any, with LAB_LOG=1) brings the job's own log along: CI's output is all a red run
  // leaves to read
  const log = violations.length || process.env.LAB_LOG ? await jobLog(db, job.id) : [];
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    fault,
    src,
    dst,
    job,
    states,
    violations,
    log,
    notes,
    memory,
    disk,
    recoveryMs,
    copyMs,
    ms: Date.now() - t0,
  };
}

/** The job's log lines (the commands Ferry ran and what the hosts answered), each with its time into the job. */
async function jobLog(db: Awaited<ReturnType<typeof openDatabase>>["db"], jobId: string | undefined) {
  const rows = await db.jobEvent.findMany({
    where: { ...(jobId ? { jobId } : {}), type: { in: ["log", "phase", "result"] } },
    orderBy: { seq: "asc" },
  });
  const start = rows[0]?.at.getTime() ?? 0;
  return rows.map((r) => {
    const p = JSON.parse(r.payloadJson) as { line?: string };
    return `${String(r.at.getTime() - start).padStart(6)} ms ${r.phase.padEnd(14)} ${r.type === "log" ? (p.line ?? "") : `${r.type} ${r.payloadJson}`}`;
  });
}

/** The disk guest runs on one host with its disk, booted far enough that both its checkers count. */
async function diskGuestReady() {
  const on = LAB_HOSTS.find((h) => domstate(h) === "running");
  if (!on) {
    const booted = consoleLog().length;
    startDiskGuest(LAB, "hostB");
    await until(() => readGuest(consoleLog().slice(booted), "labdisk").beats.length > 0, 90_000);
    return;
  }
  // the files a move left on the host it came from (Ferry keeps them for the operator): gone, so it can come back
  const other = on === "hostB" ? "hostC" : "hostB";
  if (domstate(other) === null) hx(other, "rm", "-f", DISK_PATH);
}

/** The hosts on the disk: where the guest runs, its disk file and its checker's word; where it does not, no copy the job does not name. */
async function diskVerdict(on: LabHost, other: LabHost, job: JobSummary, console0: string, ended: string) {
  const violations: string[] = [];
  if (hx(on, "test", "-e", DISK_PATH).code !== 0) violations.push(`${GUEST} runs on ${on} without its disk file`);
  else if (!hx(on, "virsh", "domblklist", GUEST).out.includes(DISK_PATH))
    violations.push(`${GUEST} on ${on} does not use ${DISK_PATH}`);
  const left = hx(other, "test", "-e", DISK_PATH).code === 0;
  const note = job.locationNote ?? "";
  if (left && !note.includes(DISK_PATH))
    violations.push(`${other} holds ${DISK_PATH} and the job does not say so: ${note}`);
  const v = await awaitGuestVerdict(consoleLog, console0, { tag: "labdisk", ended, timeoutMs: 90_000 });
  for (const w of v.violations)
    violations.push(`${GUEST}'s disk on ${on}: ${w.replace("memory checker", "disk checker")}`);
  const words = v.violations.length
    ? `NOT whole: ${v.violations.join("; ")}`
    : `whole: every page read back from ${on}'s disk after the job (pass ${v.last?.passes}, ${v.last?.mismatches} mismatches); ${other} ${left ? `keeps ${DISK_PATH}, as the job says` : "holds no copy"}`;
  return { violations, words };
}

if (!fs.existsSync(path.join(LAB, "lab.env"))) {
  console.log(`the lab is not up (${LAB}): sudo npm run lab:up first; no lab trials run`);
  process.exit(process.env.TRIALS_LAB_REQUIRED ? 1 : 0);
}
const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
const only = process.env.TRIAL !== undefined ? Number(process.env.TRIAL) : null;
const n = Number(process.env.TRIALS ?? 4);
console.log(
  `lab fault campaign: seed ${seed}, ${only !== null ? `trial ${only}` : `${n} trials`} on real libvirt/QEMU (${GUEST})`,
);
const results = [];
for (const i of only !== null ? [only] : Array.from({ length: n }, (_, k) => k)) {
  const r = await trial(seed, i);
  results.push(r);
  console.log(
    `#${String(i).padStart(3)} migrate ${r.src} → ${r.dst} · ${words(r.fault, r.src)} · ${r.job.status}${r.job.locationHost ? ` (on ${r.job.locationHost})` : ""} · domstate ${JSON.stringify(r.states)} · ${r.violations.length ? "VIOLATION" : "ok"} ${(r.ms / 1000).toFixed(1)} s${r.recoveryMs !== null ? ` · recovered in ${(r.recoveryMs / 1000).toFixed(2)} s` : ""}`,
  );
  for (const v of r.violations) console.log(`       ✗ ${v}\n       replay: SEED=${seed} TRIAL=${i} npm run trials:lab`);
  if (r.log.length) console.log(`       the job's log:\n${r.log.map((l) => `         ${l}`).join("\n")}`);
  console.log(`       job: ${r.job.locationNote ?? "(no word on where)"}`);
  for (const n of r.notes) console.log(`       then: ${n}`);
  console.log(`       guest memory: ${r.memory}`);
  if (DISKS)
    console.log(`       guest disk: ${r.disk}${r.copyMs !== null ? ` (the disk copy took ${r.copyMs} ms)` : ""}`);
}
const counts = new Map<string, number>();
for (const r of results) counts.set(r.fault.kind, (counts.get(r.fault.kind) ?? 0) + 1);
const rec = results
  .map((r) => r.recoveryMs)
  .filter((x): x is number => x !== null)
  .sort((a, b) => a - b);
const bad = results.filter((r) => r.violations.length);
const whole = results.filter((r) => r.memory.startsWith("whole")).length;
console.log(
  `\n${results.length} lab trials (${[...counts].map(([k, v]) => `${k} ${v}`).join(", ")}), ${bad.length} with violations, guest memory verified whole after ${whole}${rec.length ? `; after a Ferry SIGKILL: median ${((percentile(rec, 50) ?? 0) / 1000).toFixed(2)} s, worst ${((rec.at(-1) ?? 0) / 1000).toFixed(2)} s` : ""}`,
);
// the disk guest is the campaign's own: gone once it is over, so the lab suites find the lab as up.sh makes it
if (DISKS && !process.env.LAB_KEEP) removeDiskGuest(LAB);
process.exit(bad.length ? 1 : 0);
