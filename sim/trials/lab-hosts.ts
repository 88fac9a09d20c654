import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { HostRecord } from "../../lib/inventory/types";
import { guestConsole } from "../../e2e/lab/guest-console";

// The real-host lab (e2e/lab/up.sh) as the fault campaign (sim/trials/lab.ts) reaches it: a command on a lab host
// (`$LAB/bin/hx`), libvirt's word on a guest, the guest's QEMU processes and console, the lab put back, and the hosts'
// records as Ferry registers them.

export const LAB = process.env.LAB ?? "/tmp/ferry-lab";
export const HOSTS = { hostB: "10.77.0.12", hostC: "10.77.0.13" } as const;
export type LabHost = keyof typeof HOSTS;
export const LAB_HOSTS = ["hostB", "hostC"] as const;

export function hx(host: LabHost, ...argv: string[]): { code: number; out: string } {
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
/** libvirt's word on a guest (`running`, `shut off`…), null when the host does not know it. */
export const domstate = (guest: string, h: LabHost) => {
  const r = hx(h, "virsh", "domstate", guest);
  return r.code === 0 ? r.out.trim() : null;
};
export const pidOf = (file: string) => Number(fs.readFileSync(path.join(LAB, "run", "pids", file), "utf8").trim());
export const consoleOf = (guest: string) => guestConsole(LAB, guest);

/** A guest's QEMU processes: pid, and whether it was started to receive a migration (`-incoming`). */
export function qemus(guest: string): { pid: number; incoming: boolean }[] {
  let pids: string[] = [];
  try {
    pids = execFileSync("pgrep", ["-f", `guest=${guest},`], { encoding: "utf8" })
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
export function boots(guest: string): { count: number; counting: boolean } {
  const log = consoleOf(guest);
  const all = [...log.matchAll(/labvm: booted /g)];
  const last = all.at(-1)?.index ?? -1;
  return { count: all.length, counting: last >= 0 && /labvm: uptime=\d+s/.test(log.slice(last)) };
}
export async function until(fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}
/** e2e/lab/up.sh without blocking this process (Ferry's engine runs in it): restarts whatever daemon is dead. */
export function labUpAsync(): Promise<void> {
  return new Promise((resolve) => {
    spawn("bash", ["e2e/lab/up.sh"], { env: { ...process.env, LAB_SKIP_APT: "1" }, stdio: "ignore" }).once("exit", () =>
      resolve(),
    );
  });
}
/**
 * What systemd does for libvirtd on a real host (libvirt's libvirtd.service: `Restart=on-failure`; see
 * lib/toolstacks/REFERENCE.md §3.7), which the lab's libvirtd, started without systemd (e2e/lab/up.sh), lacks: a libvirtd
 * that dies on one of `hosts` is started again, as up.sh starts it. `died` names the hosts whose libvirtd died.
 * (libvirt 9.0 in CI once died as the guest's QEMU was killed mid-migration, and Ferry could not ask that host.)
 */
export function superviseLibvirtd(hosts: readonly LabHost[]) {
  const died = new Set<LabHost>();
  const restarting = new Map<LabHost, Promise<void>>();
  const pidFile = (h: LabHost) => path.join(LAB, "run", "pids", `${h}-libvirtd.pid`);
  const alive = (h: LabHost) => {
    try {
      process.kill(pidOf(`${h}-libvirtd.pid`), 0);
      return true;
    } catch {
      return false; // no pid file, or no such process
    }
  };
  const start = (h: LabHost) =>
    new Promise<void>((resolve) => {
      // `libvirtd -d` returns once the daemon it forked is ready
      spawn(path.join(LAB, "bin", "hx"), [h, "/usr/sbin/libvirtd", "-d", "-p", pidFile(h)], { stdio: "ignore" })
        .once("exit", () => resolve())
        .once("error", () => resolve());
    });
  const timer = setInterval(() => {
    for (const h of hosts) {
      if (restarting.has(h) || alive(h)) continue;
      died.add(h);
      restarting.set(
        h,
        start(h).finally(() => restarting.delete(h)),
      );
    }
  }, 100);
  return {
    died,
    async stop() {
      clearInterval(timer);
      await Promise.all(restarting.values());
    },
  };
}
export function labUp() {
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
export const record = (h: LabHost): HostRecord => ({
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
