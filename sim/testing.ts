import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimCluster } from "./cluster";
import { createDefaultWorld } from "./default-world";
import type { World } from "./world";
import type { HostRecord } from "../lib/inventory/types";

/** A simulated cluster on ephemeral ports with keys in a fresh temp dir, for tests and benches. */
export async function startTestCluster(world: World = createDefaultWorld()) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-sim-"));
  const cluster = new SimCluster({ world, stateDir, basePort: 0 });
  await cluster.start();
  const info = (name: string) => cluster.describe().find((h) => h.name === name)!;
  const target = (name: string) => {
    const h = info(name);
    return {
      address: h.address,
      port: h.port,
      user: h.user,
      fingerprint: h.fingerprint,
      auth: { kind: "key" as const, keyPath: h.keyPath },
    };
  };
  /** The host as Ferry registers it (id `id-<name>`), with the toolstack the simulated host offers. */
  const record = (name: string): HostRecord => {
    const h = info(name);
    return {
      id: `id-${name}`,
      name,
      address: h.address,
      port: h.port,
      user: h.user,
      authMethod: "key",
      keyPath: h.keyPath,
      fingerprint: h.fingerprint,
      toolstack: h.toolstack,
      imageDir: "/xen-saved-images",
    };
  };
  return {
    cluster,
    world,
    stateDir,
    info,
    target,
    record,
    async stop() {
      await cluster.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Runs one simulated command line (no SSH, no shell) on `stdin` and collects what it printed. */
export async function runSimCommand(
  fn: import("./sh/run").CommandFn,
  argv: string[],
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await fn(argv, {
    stdin,
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}
