// `npm run trials:lab` (root, after `sudo npm run lab:up`): the fault campaign on the real-host lab — two network
// namespaces with OpenSSH and libvirtd, a real QEMU guest (e2e/lab/up.sh). Each trial live-migrates the guest to
// the other host through Ferry's engine and, at a random moment drawn from the seed, breaks something for real:
// the host's link on the lab bridge set down for a while, libvirtd or sshd killed on either host, the guest's QEMU
// killed, or Ferry's own process SIGKILLed (then a new engine on the same database recovers the job). Then the lab
// is put back (e2e/lab/up.sh is idempotent) and the hosts are asked, not Ferry: `virsh domstate` on both, and the
// guest itself: its memory checker (e2e/lab/guest/labvm-verify.c) must run on where it runs, walk all of its memory
// after the job and find every page as it left it, with no new boot, no oops and its counters not gone back
// (e2e/lab/verifier.ts). TRIALS (default 4), SEED (random, printed), TRIAL (one again).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../lib/db/client";
import { Inventory } from "../../lib/inventory/inventory";
import type { HostRecord } from "../../lib/inventory/types";
import { JobEngine } from "../../lib/jobs/engine";
import { percentile } from "../../lib/jobs/history";
import { spawnEngine } from "./engine-process";
import { summaryOf } from "../../lib/jobs/store";
import { isFinal, type JobSummary } from "../../lib/jobs/types";
import { SshPool } from "../../lib/ssh/pool";
import { rng } from "./plan";
import { guestConsole } from "../../e2e/lab/guest-console";
import { awaitGuestVerdict } from "../../e2e/lab/verifier";

const LAB = process.env.LAB ?? "/tmp/ferry-lab";
const HOSTS = { hostB: "10.77.0.12", hostC: "10.77.0.13" } as const;
type LabHost = keyof typeof HOSTS;
const GUEST = "labvm1";
const ENGINE_OPTS = { pollMs: 100, virshPollMs: 200, settlePollMs: 200, reconnectMs: 30_000 };

type LabFault =
  | { kind: "none"; afterMs: number }
  | { kind: "link-down"; host: LabHost; afterMs: number; forMs: number }
  | { kind: "libvirtd-kill"; host: LabHost; afterMs: number; backAfterMs: number }
  | { kind: "sshd-kill"; host: LabHost; afterMs: number; backAfterMs: number }
  | { kind: "qemu-kill"; afterMs: number }
  | { kind: "ferry-kill"; afterMs: number };

function hx(host: LabHost, ...argv: string[]): { code: number; out: string } {
  try {
    return {
      code: 0,
      out: execFileSync(path.join(LAB, "bin", "hx"), [host, ...argv], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    };
  } catch (e) {
    return { code: (e as { status: number }).status ?? 1, out: String((e as { stdout?: string }).stdout ?? "") };
  }
}
const domstate = (h: LabHost) => {
  const r = hx(h, "virsh", "domstate", GUEST);
  return r.code === 0 ? r.out.trim() : null;
};
const pidOf = (file: string) => Number(fs.readFileSync(path.join(LAB, "run", "pids", file), "utf8").trim());
const consoleLog = () => guestConsole(LAB, GUEST);
/** The guest's QEMU processes: pid, and whether it was started to receive a migration (`-incoming`). */
function qemus(): { pid: number; incoming: boolean }[] {
  let pids: string[] = [];
  try {
    pids = execFileSync("pgrep", ["-f", `guest=${GUEST},`], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when none runs
  }
  return pids.map((p) => ({
    pid: Number(p),
    incoming: (() => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes("-incoming");
      } catch {
        return false;
      }
    })(),
  }));
}
/** How many times the guest has booted, and whether the last boot has counted its first seconds. */
function boots(): { count: number; counting: boolean } {
  const log = consoleLog();
  const all = [...log.matchAll(/labvm: booted /g)];
  const last = all.at(-1)?.index ?? -1;
  return { count: all.length, counting: last >= 0 && /labvm: uptime=\d+s/.test(log.slice(last)) };
}
async function until(_what: string, fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}
/** e2e/lab/up.sh without blocking this process (Ferry's engine runs in it): restarts whatever daemon is dead. */
function labUpAsync(): Promise<void> {
  return new Promise((resolve) => {
    spawn("bash", ["e2e/lab/up.sh"], { env: { ...process.env, LAB_SKIP_APT: "1" }, stdio: "ignore" }).once("exit", () =>
      resolve(),
    );
  });
}
function labUp() {
  try {
    execFileSync("bash", ["e2e/lab/up.sh"], { env: { ...process.env, LAB_SKIP_APT: "1" }, encoding: "utf8" });
  } catch (e) {
    // say why the lab could not be put back (up.sh's own last lines), not just that a child process failed
    const { status, stdout, stderr } = e as { status: number | null; stdout?: string; stderr?: string };
    const tail = `${stdout ?? ""}${stderr ?? ""}`.trim().split("\n").slice(-6).join("\n");
    throw new Error(`e2e/lab/up.sh could not put the lab back (exit ${status}):\n${tail}`);
  }
}
function fingerprintOf(host: LabHost): string {
  const pub = path.join(LAB, "hosts", host, "ovl", "etc.up", "ssh", "ssh_host_ed25519_key.pub");
  return /SHA256:\S+/.exec(execFileSync("ssh-keygen", ["-lf", pub], { encoding: "utf8" }))![0];
}
const record = (h: LabHost): HostRecord => ({
  id: h,
  name: h,
  address: HOSTS[h],
  port: 22,
  user: "root",
  authMethod: "key",
  keyPath: path.join(LAB, "keys", "id_ed25519"),
  fingerprint: fingerprintOf(h),
  toolstack: "virsh",
  imageDir: path.join(LAB, "shared", "saves"),
});

function draw(seed: number, index: number): LabFault {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const host = r.pick(["hostB", "hostC"] as const);
  const afterMs = 200 + r.int(3000);
  switch (
    r.pick(["none", "link-down", "link-down", "libvirtd-kill", "sshd-kill", "qemu-kill", "ferry-kill"] as const)
  ) {
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
    default:
      return { kind: "ferry-kill", afterMs };
  }
}

const words = (f: LabFault, src: LabHost) => {
  const who = (h: LabHost) => `${h} (${h === src ? "source" : "target"})`;
  switch (f.kind) {
    case "none":
      return "no fault";
    case "link-down":
      return `${who(f.host)}'s link down ${f.afterMs} ms in, for ${f.forMs} ms`;
    case "libvirtd-kill":
      return `libvirtd killed on ${who(f.host)} ${f.afterMs} ms in, back ${f.backAfterMs} ms later`;
    case "sshd-kill":
      return `sshd killed on ${who(f.host)} ${f.afterMs} ms in, back ${f.backAfterMs} ms later`;
    case "qemu-kill":
      return `the guest's QEMU killed ${f.afterMs} ms in`;
    case "ferry-kill":
      return `Ferry SIGKILLed ${f.afterMs} ms in`;
  }
};

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
  // the guest runs on exactly one host before (started where it is defined, if it is not running)
  labUp();
  let src = (["hostB", "hostC"] as const).find((h) => domstate(h) === "running");
  if (!src) {
    src = (["hostB", "hostC"] as const).find((h) => domstate(h) !== null) ?? "hostB";
    // wait for this boot's first count (not for the count to pass the last boot's: that waited out the minute)
    const before = boots().count;
    hx(src, "virsh", "start", GUEST);
    await until("the guest boots", () => boots().count > before && boots().counting, 60_000);
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
  const strike = () => {
    if (fault.kind === "link-down") {
      execFileSync("ip", ["link", "set", `v${fault.host}`, "down"]);
      undo.push(setTimeout(() => execFileSync("ip", ["link", "set", `v${fault.host}`, "up"]), fault.forMs));
    } else if (fault.kind === "libvirtd-kill" || fault.kind === "sshd-kill") {
      process.kill(pidOf(`${fault.host}-${fault.kind === "sshd-kill" ? "sshd" : "libvirtd"}.pid`), "SIGKILL");
      undo.push(
        setTimeout(() => {
          restoring = labUpAsync();
        }, fault.backAfterMs),
      );
    } else if (fault.kind === "qemu-kill") {
      const pid = execFileSync("pgrep", ["-f", `guest=${GUEST}`], { encoding: "utf8" })
        .trim()
        .split("\n")[0];
      if (pid) process.kill(Number(pid), "SIGKILL");
    }
  };
  if (fault.kind === "ferry-kill") {
    const child = spawnEngine(dbFile, records, request, ENGINE_OPTS, "pipe");
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    // the moment is counted from the job's first event (the child's own start varies with the machine's load)
    await new Promise<void>((resolve) => {
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        if (/"jobId"|"submitted"/.test(buf)) resolve();
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
    const submitted = await engine.submit(request as never);
    const timer = setTimeout(strike, fault.afterMs);
    job = await waitFinal(db, engine, submitted.id);
    clearTimeout(timer);
  }
  // put the lab back (links up, daemons running) once the fault's own undoing is over, then ask libvirt on both hosts
  for (const t of undo) clearTimeout(t);
  await restoring;
  for (const h of ["hostB", "hostC"] as const) execFileSync("ip", ["link", "set", `v${h}`, "up"]);
  labUp();
  await until(
    "libvirtd answers on both hosts",
    () => hx("hostB", "virsh", "version").code === 0 && hx("hostC", "virsh", "version").code === 0,
    30_000,
  );
  const states = { hostB: domstate("hostB"), hostC: domstate("hostC") };
  const running = (["hostB", "hostC"] as const).filter((h) => states[h] === "running");
  const paused = (["hostB", "hostC"] as const).filter((h) => states[h] === "paused");
  if (!isFinal(job.status)) violations.push(`the job is still ${job.status}`);
  if (paused.length) violations.push(`${GUEST} is paused on ${paused.join(", ")}`);
  // one domain, one definition: libvirt's word on where it is defined (any state), as on where it runs
  const defined = (["hostB", "hostC"] as const).filter((h) => states[h] !== null);
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
  } else if (paused.length === 0 && fault.kind !== "qemu-kill")
    violations.push(`${GUEST} runs nowhere (${JSON.stringify(states)}) and no fault killed it`);
  else if (job.locationHost) violations.push(`QEMU was killed and the job says ${GUEST} runs on ${job.locationHost}`);
  else {
    const defined = (["hostB", "hostC"] as const).filter((h) => states[h] !== null);
    if (defined.length !== 1)
      violations.push(`${GUEST}'s QEMU was killed and it is defined on ${defined.join(", ") || "no host"}`);
    else if (!job.locationNote?.includes(`defined on ${defined[0]}`))
      violations.push(
        `${GUEST} is defined (shut off) on ${defined[0]} and the job does not say so: ${job.locationNote}`,
      );
  }
  inventory.stop();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
  return { fault, src, dst, job, states, violations, memory, recoveryMs, ms: Date.now() - t0 };
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
  console.log(`       job: ${r.job.locationNote ?? "(no word on where)"}`);
  console.log(`       guest memory: ${r.memory}`);
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
process.exit(bad.length ? 1 : 0);
