import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { guestVerdict, readGuest } from "./verifier";

// The lab guest's memory checker (e2e/lab/guest/labvm-verify.c), run here as a plain process: its pages are
// corrupted through /proc/PID/mem, as a migration that lost or misplaced a page would leave them, and it must say so.

const SOURCE = path.join(import.meta.dirname, "guest", "labvm-verify.c");
const gcc = (() => {
  try {
    execFileSync("gcc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const PAGE = 4096;
let binary = "";
let child: ChildProcess | null = null;
let out = "";

beforeAll(() => {
  if (!gcc) return;
  binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labvm-verify-")), "labvm-verify");
  execFileSync("gcc", ["-O2", "-static", "-Wall", "-Werror", "-o", binary, SOURCE]);
});

afterEach(() => {
  child?.kill("SIGKILL");
  child = null;
});

/** Starts the checker on `mib` MiB, `delayUs` between passes, a heartbeat a second; resolves with its pages' address. */
async function start(mib: number, delayUs: number): Promise<{ pid: number; base: bigint }> {
  out = "";
  child = spawn(binary, ["t", String(mib), String(delayUs), "1"], { stdio: ["ignore", "pipe", "inherit"] });
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const m = await until(() => /^t: verifier filled \d+ pages \(\d+ MiB\) at 0x([0-9a-f]+)/m.exec(out));
  return { pid: child.pid!, base: BigInt(`0x${m[1]}`) };
}

async function until<T>(f: () => T | null | false | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out; the checker printed:\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function peek(pid: number, at: bigint, length: number): Buffer {
  const fd = fs.openSync(`/proc/${pid}/mem`, "r");
  try {
    const b = Buffer.alloc(length);
    fs.readSync(fd, b, 0, length, Number(at));
    return b;
  } finally {
    fs.closeSync(fd);
  }
}

function poke(pid: number, at: bigint, bytes: Buffer): void {
  const fd = fs.openSync(`/proc/${pid}/mem`, "r+");
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, Number(at)); // user addresses stay below 2^47
  } finally {
    fs.closeSync(fd);
  }
}

// Skipped only where gcc is missing: the checker is C, built here as the lab builds it. e2e/lab/up.sh and .ci/run
// install gcc and libc6-dev, so CI always runs these; the console-reading rules below need nothing and always run.
describe.skipIf(!gcc)("the lab guest's memory checker (needs gcc: e2e/lab/up.sh and .ci/run install it)", () => {
  it("walks its pages pass after pass and finds them whole when nothing touches them", async () => {
    await start(2, 0);
    await until(() => readGuest(out, "t").beats.filter((b) => b.passes > 2).length >= 2);
    const r = readGuest(out, "t");
    expect(r.mismatches).toEqual([]);
    expect(r.beats.at(-1)!.mismatches).toBe(0);
    expect(r.beats.at(-1)!.verified).toBeGreaterThanOrEqual(r.beats.at(-1)!.passes * 512);
  });

  it("says at once which page holds something else, and counts it", async () => {
    const { pid, base } = await start(1, 200_000);
    await until(() => readGuest(out, "t").beats.length >= 1);
    const before = out;
    poke(pid, base + BigInt(5 * PAGE + 16), Buffer.from("not the pattern!"));
    const line = await until(() => readGuest(out, "t").mismatches[0]);
    expect(line).toMatch(/^t: MISMATCH page=5 want gen=\d+ got value=0x[0-9a-f]{16} word=2$/);
    await until(() => (readGuest(out, "t").beats.at(-1)?.mismatches ?? 0) >= 1);
    const v = guestVerdict(before, out, { tag: "t" });
    expect(v.violations).toEqual([`the guest's memory checker found pages that do not hold what it wrote: ${line}`]);
  });

  it("names the older generation a page still holds (a page a migration did not send again)", async () => {
    const { pid, base } = await start(1, 300_000);
    const at = base + BigInt(7 * PAGE);
    const stale = peek(pid, at, PAGE);
    // the checker gives the page its next generation; then the old contents come back, as from a stale copy
    await until(() => !peek(pid, at, PAGE).equals(stale));
    poke(pid, at, stale);
    const line = await until(() => readGuest(out, "t").mismatches[0]);
    const m = /^t: MISMATCH page=7 want gen=(\d+) got gen=(\d+) word=0$/.exec(line);
    expect(m, line).not.toBeNull();
    expect(Number(m![2])).toBe(Number(m![1]) - 1);
  });
});

describe("the verdict read from a guest's console", () => {
  const beat = (up: number, passes: number, mismatches = 0) =>
    `labvm: uptime=${up}s dirty_passes=${passes} verified_pages=${passes * 8192} mismatches=${mismatches} mib=32\n`;
  const before = `labvm: booted 6.1.0\n${beat(10, 100)}${beat(15, 160)}`;

  it("a guest that ran on, a full pass after the job, is whole", () => {
    const ended = before + beat(20, 220);
    const v = guestVerdict(before, ended + beat(25, 280) + beat(30, 340), { ended });
    expect(v).toMatchObject({ violations: [], checkedAll: true, last: { passes: 340 } });
  });

  it("is not yet judged before a full pass after the job", () => {
    const ended = before + beat(20, 220);
    expect(guestVerdict(before, ended + beat(25, 221), { ended })).toMatchObject({ violations: [], checkedAll: false });
  });

  it("a restore of an older state: the counters go back", () => {
    expect(guestVerdict(before, before + beat(12, 120) + beat(17, 180)).violations).toEqual([
      "the guest went back to an older state: its checker had made 160 passes at 15 s, and now says 120 at 12 s",
    ]);
  });

  it("a new boot, and a kernel's oops, in the guest's own words", () => {
    const now = `${before}[   20.1] BUG: kernel NULL pointer dereference, address: 0000000000000000\nlabvm: booted 6.1.0\n${beat(5, 30)}`;
    expect(guestVerdict(before, now).violations).toEqual([
      `the guest's kernel crashed: "BUG: kernel NULL pointer dereference, address: 0000000000000000"`,
      "the guest booted again: the memory it had is gone",
    ]);
  });

  it("a count of mismatches whose lines were lost still counts", () => {
    expect(guestVerdict(before, before + beat(20, 220, 3)).violations).toEqual([
      "the guest's memory checker counted pages that do not hold what it wrote",
    ]);
  });
});
