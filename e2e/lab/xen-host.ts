import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// A real Xen host served by `scripts/xen-capture.sh` (XEN_MODE=serve): Debian's Xen 4.17 under QEMU, dom0 with OpenSSH
// on 127.0.0.1:<port>. Node 1 ("xen417") runs the PV guest "capture"; node 2 ("xen417b") runs none. The two share a
// link of their own (192.168.77.1 and .2) and root's key, as hosts that move guests between them do.

export interface XenHost {
  node: 1 | 2;
  name: string;
  dir: string;
  port: number;
  /** sshd's settings once it serves: XEN_SSH_PORT, XEN_SSH_KEY, XEN_HOST_KEY */
  conf(): Record<string, string>;
  alive(): boolean;
  /** boots it unless it already serves (minutes under emulation); true when this call booted it */
  ensure(): boolean;
  stop(): void;
  /** a command in dom0 over SSH, as an operator would type it */
  run(command: string): { code: number; stdout: string };
}

const NODE1_DIR = process.env.XEN_CAPTURE_WORK ?? "/tmp/ferry-xen";

export const xenHosts: Record<1 | 2, XenHost> = {
  1: xenHost(1, "xen417", NODE1_DIR, 2622),
  2: xenHost(2, "xen417b", `${NODE1_DIR}-b`, 2623),
};

function xenHost(node: 1 | 2, name: string, dir: string, port: number): XenHost {
  const envFile = path.join(dir, "serve.env");
  const env = { ...process.env, XEN_MODE: "serve", XEN_NODE: String(node), XEN_CAPTURE_WORK: dir };
  const peer = node === 1 ? `${NODE1_DIR}-b` : NODE1_DIR;
  const h: XenHost = {
    node,
    name,
    dir,
    port,
    conf: () =>
      Object.fromEntries(
        fs
          .readFileSync(envFile, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split("=", 2) as [string, string]),
      ),
    alive() {
      try {
        process.kill(Number(fs.readFileSync(path.join(dir, "qemu.pid"), "utf8")), 0);
        return fs.existsSync(envFile);
      } catch {
        return false;
      }
    },
    ensure() {
      if (h.alive()) return false;
      execFileSync("bash", ["scripts/xen-capture.sh"], {
        env: { ...env, XEN_SSH_PORT: String(port), XEN_PEER_WORK: peer },
        stdio: ["ignore", "inherit", "inherit"],
        timeout: 590_000,
      });
      return true;
    },
    stop() {
      execFileSync("npm", ["run", "--silent", "xen:down"], { env });
    },
    run(command) {
      const c = h.conf();
      try {
        const stdout = execFileSync(
          "ssh",
          [
            ...["-i", c.XEN_SSH_KEY, "-p", c.XEN_SSH_PORT, "-o", "BatchMode=yes", "-o", "LogLevel=error"],
            ...["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "root@127.0.0.1", command],
          ],
          { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 },
        );
        return { code: 0, stdout };
      } catch (e) {
        const err = e as { status: number; stdout: string };
        return { code: err.status, stdout: err.stdout ?? "" };
      }
    },
  };
  return h;
}

/** xl's own row for a domain on a host: state flags and CPU seconds, or null when xl does not know it. */
export function xlRow(host: XenHost, domain: string): { state: string; cpu: number } | null {
  const r = host.run(`xl list ${domain}`);
  const m = new RegExp(`^${domain}\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\S+)\\s+([\\d.]+)`, "m").exec(r.stdout);
  return r.code === 0 && m ? { state: m[1], cpu: Number(m[2]) } : null;
}
