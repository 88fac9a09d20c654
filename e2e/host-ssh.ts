import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { simHosts } from "./sim-control";

// Asking a simulated host itself, over plain OpenSSH as an operator would (not Ferry's connection, not the
// simulator's control plane): which guests its toolstack lists as running.

const run = promisify(execFile);

export async function runningOn(host: string): Promise<string[]> {
  const h = (await simHosts()).find((x) => x.name === host);
  if (!h) throw new Error(`no simulated host ${host}`);
  const kvm = host.startsWith("kvm");
  // the legacy hosts (xmA, xmB) answer xm, the others xl; their lists look alike
  const xen = host.startsWith("xm") ? "xm list" : "xl list";
  const { stdout } = await run("ssh", [
    "-i",
    h.keyPath,
    "-p",
    String(h.port),
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "BatchMode=yes",
    `${h.user}@${h.address}`,
    kvm ? "virsh list --name" : xen,
  ]);
  const lines = stdout.split("\n").filter((l) => l.trim());
  // xl list / xm list: a header, then "name id mem vcpus state time", Domain-0 first
  return kvm
    ? lines.map((l) => l.trim())
    : lines
        .slice(1)
        .map((l) => l.split(/\s+/)[0])
        .filter((n) => n !== "Domain-0");
}
