// The lab guest's crashes after a migration (issue 29): Ferry's own command sequence against plain `virsh migrate`,
// with the same timing and load, in the real lab (e2e/lab/up.sh), each run judged by the guest's memory checker.
//
//   npm run study:lab                      RUNS=20 per variant, VARIANTS="plain,ferry" (alternating run by run)
//   VARIANTS="plain,ferry,ferry-dirtyrate" LOAD=2 BOOT_WAIT_S=3 BANDWIDTH=32 DOWNTIME=1500 npm run study:lab
//
// A variant is "plain" (virsh migrate --live --verbose --persistent --undefinesource, nothing else) or "ferry" (the
// steps Ferry's virsh driver sends for the lab suite's drag-and-drop migration: dirtyrate, downtime, bandwidth and
// poll, built by lib/toolstacks/virsh/commands.ts), then steps added (+step) or taken away (-step): "ferry-bandwidth",
// "plain+bandwidth+downtime", "ferry+autoconverge". Steps: dirtyrate (QEMU's dirty-rate measurement first,
// as the forecast and the checks do), downtime (migrate-setmaxdowntime 1500 before), bandwidth (--bandwidth 32),
// autoconverge (--auto-converge), postcopy (--postcopy, and migrate-postcopy once the first round is over), poll
// (domjobinfo and domstate every 200 ms over SSH while it runs, as the job does).
// Each run boots the guest afresh where it is defined, waits for its first heartbeat and BOOT_WAIT_S more (CI
// migrated a guest booted seconds before), migrates it to the other host over SSH, and waits for the checker's verdict.
import { execFile, execFileSync, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as cmd from "../../lib/toolstacks/virsh/commands";
import { parseDirtyRate } from "../../lib/toolstacks/virsh/parse";
import { guestConsole } from "../../e2e/lab/guest-console";
import { awaitGuestVerdict, readGuest } from "../../e2e/lab/verifier";

const LAB = process.env.LAB ?? "/tmp/ferry-lab";
const GUEST = "labvm1";
const HOSTS = { hostB: "10.77.0.12", hostC: "10.77.0.13" } as const;
type LabHost = keyof typeof HOSTS;
const STEPS = ["dirtyrate", "downtime", "bandwidth", "autoconverge", "postcopy", "poll"] as const;
type Step = (typeof STEPS)[number];

const RUNS = Number(process.env.RUNS ?? 20);
const VARIANTS = (process.env.VARIANTS ?? "plain,ferry").split(",").map((v) => v.trim());
const BOOT_WAIT_S = Number(process.env.BOOT_WAIT_S ?? 3);
const LOAD = Number(process.env.LOAD ?? 0);
/** MiB/s for the bandwidth step (Ferry's lab suite sets 32) */
const BANDWIDTH = Number(process.env.BANDWIDTH ?? 32);
/** ms for the downtime step (Ferry's lab suite sets 1500) */
const DOWNTIME = Number(process.env.DOWNTIME ?? 1500);

/** The steps Ferry's virsh driver sends for the lab suite's drag-and-drop migration (32 MiB/s, 1.5 s, polled). */
const FERRY: Step[] = ["dirtyrate", "downtime", "bandwidth", "poll"];

function stepsOf(variant: string): Set<Step> {
  const m = /^(plain|ferry)((?:[+-]\w+)*)$/.exec(variant);
  const changes = m ? [...m[2].matchAll(/([+-])(\w+)/g)].map((c) => ({ add: c[1] === "+", step: c[2] as Step })) : [];
  const unknown = changes.filter((c) => !STEPS.includes(c.step));
  if (!m || unknown.length)
    throw new Error(
      `unknown variant "${variant}": plain or ferry, then +<step> or -<step>; steps: ${STEPS.join(", ")}`,
    );
  const steps = new Set<Step>(m[1] === "ferry" ? FERRY : []);
  for (const c of changes) c.add ? steps.add(c.step) : steps.delete(c.step);
  return steps;
}

const run = promisify(execFile);
/** A command on a lab host over OpenSSH, as Ferry reaches it. */
const ssh = (host: LabHost, argv: string[], timeoutMs = 120_000) =>
  run(path.join(LAB, "bin", "labssh"), [host, argv.map((a) => `'${a}'`).join(" ")], { timeout: timeoutMs })
    .then((r) => ({ code: 0, out: r.stdout, err: r.stderr }))
    .catch((e: { code?: number; killed?: boolean; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === "number" ? e.code : 1,
      out: e.stdout ?? "",
      err: e.killed ? `no answer in ${timeoutMs / 1000} s (the study gave up on it)` : (e.stderr ?? ""),
    }));
const hx = (host: LabHost, ...argv: string[]) => {
  try {
    return execFileSync(path.join(LAB, "bin", "hx"), [host, ...argv], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return null;
  }
};
const consoleLog = () => guestConsole(LAB, GUEST);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | null | undefined | false, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Boots the guest afresh on the host where it is defined; resolves with that host once it has counted BOOT_WAIT_S. */
async function freshBoot(): Promise<LabHost> {
  for (const h of ["hostB", "hostC"] as const)
    if (hx(h, "virsh", "domstate", GUEST) === "running") hx(h, "virsh", "destroy", GUEST);
  const src = (["hostB", "hostC"] as const).find((h) => hx(h, "virsh", "domstate", GUEST) !== null);
  if (!src) throw new Error(`${GUEST} is defined on no lab host`);
  const mark = consoleLog().length;
  hx(src, "virsh", "start", GUEST);
  await until("the guest's first heartbeat", () => readGuest(consoleLog().slice(mark)).beats.length > 0, 90_000);
  await sleep(BOOT_WAIT_S * 1000);
  return src;
}

async function migrateOnce(variant: string, src: LabHost, dst: LabHost) {
  const steps = stepsOf(variant);
  if (steps.has("dirtyrate")) {
    await ssh(src, cmd.dirtyRateCalc(GUEST, 1));
    for (let i = 0; i < 30; i++) {
      await sleep(i ? 200 : 1000);
      if (parseDirtyRate((await ssh(src, cmd.domstatsDirtyRate(GUEST))).out).status === 2) break;
    }
  }
  if (steps.has("downtime")) await ssh(src, cmd.setMaxDowntime(GUEST, DOWNTIME));
  const argv = cmd.migrate(GUEST, cmd.targetUri(HOSTS[dst]), {
    bandwidthMiBps: steps.has("bandwidth") ? BANDWIDTH : undefined,
    autoConverge: steps.has("autoconverge"),
    postcopy: steps.has("postcopy"),
  });
  const t0 = Date.now();
  let done = false;
  const migration = ssh(src, argv).finally(() => {
    done = true;
  });
  let switched = false;
  while (!done && (steps.has("poll") || steps.has("postcopy"))) {
    const info = await ssh(src, cmd.domjobinfo(GUEST, false), 5_000);
    if (steps.has("poll")) await ssh(src, cmd.domstate(GUEST), 5_000);
    if (steps.has("postcopy") && !switched && /^Iteration:\s+([2-9]|\d\d)/m.test(info.out)) {
      switched = true;
      await ssh(src, cmd.startPostcopy(GUEST), 5_000);
    }
    await sleep(200);
  }
  const r = await migration;
  const ms = Date.now() - t0;
  // QEMU's own account of the migration, kept by libvirt on the target: its rounds and the guest's downtime
  const completed = r.code === 0 ? (await ssh(dst, cmd.domjobinfo(GUEST, true), 10_000)).out : "";
  return {
    ok: r.code === 0,
    ms,
    rounds: /^Iteration:\s+(\d+)/m.exec(completed)?.[1] ?? "?",
    downtime: /^Total downtime:\s+(\d+)/m.exec(completed)?.[1] ?? "?",
    err:
      r.err
        .trim()
        .split(/[\r\n]+/)
        .at(-1) ?? "",
    postcopy: switched,
  };
}

async function main() {
  const hogs = Array.from({ length: LOAD }, () => spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
  const rows: { variant: string; run: number; ok: boolean; ms: number; verdict: string; load: number }[] = [];
  try {
    for (let i = 0; i < RUNS; i++)
      for (const variant of VARIANTS) {
        const src = await freshBoot();
        const dst: LabHost = src === "hostB" ? "hostC" : "hostB";
        const before = consoleLog();
        const m = await migrateOnce(variant, src, dst);
        const ended = consoleLog();
        const v = await awaitGuestVerdict(consoleLog, before, { ended, timeoutMs: 60_000 });
        const load = os.loadavg()[0];
        const verdict = v.violations.length ? v.violations.join("; ") : `whole (${v.last?.passes} passes)`;
        rows.push({ variant, run: i + 1, ok: m.ok, ms: m.ms, verdict, load });
        console.log(
          `${variant.padEnd(22)} run ${String(i + 1).padStart(2)}  ${src}→${dst}  ${m.ok ? "migrated" : `failed: ${m.err}`} in ${(m.ms / 1000).toFixed(1)} s (${m.rounds} rounds, downtime ${m.downtime} ms)${m.postcopy ? " (post-copy)" : ""}  load ${load.toFixed(2)}  guest: ${verdict}`,
        );
      }
  } finally {
    for (const h of hogs) h.kill("SIGKILL");
  }
  console.log(
    `\nBOOT_WAIT_S=${BOOT_WAIT_S} BANDWIDTH=${BANDWIDTH} MiB/s DOWNTIME=${DOWNTIME} ms LOAD=${LOAD} busy loops, ${os.cpus().length} cores`,
  );
  console.log("| variant | runs | migrated | guest whole | guest not whole |");
  console.log("|---|---|---|---|---|");
  for (const variant of VARIANTS) {
    const r = rows.filter((x) => x.variant === variant);
    const bad = r.filter((x) => !x.verdict.startsWith("whole"));
    console.log(
      `| ${variant} | ${r.length} | ${r.filter((x) => x.ok).length} | ${r.length - bad.length} | ${bad.length} |`,
    );
  }
  process.exitCode = rows.some((x) => !x.verdict.startsWith("whole")) ? 1 : 0;
}

void main();
