import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { ensureKeyPair } from "./keys";
import { SimHostServer } from "./host-server";
import type { World } from "./world";
import { toolstackOf } from "./commands/toolstacks";
import type { ToolstackName } from "../lib/toolstacks/types";

const { utils } = ssh2;

export interface SimHostInfo {
  name: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  fingerprint: string;
  up: boolean;
  /** the toolstack the host offers: xl (Xen), xm (Xen with xend) or virsh (libvirt/KVM) */
  toolstack: ToolstackName;
}

/** A simulated host as Ferry registers it (a host record's fields, without its id). */
export function hostFieldsOf(h: SimHostInfo) {
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key" as const,
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: h.toolstack,
  };
}

export interface SimClusterOptions {
  world: World;
  /** where host keys and the client key live (persistent across runs) */
  stateDir: string;
  /** first port; host i listens on basePort + i. 0 = ephemeral ports */
  basePort?: number;
  user?: string;
}

/** SHA256 fingerprint of an OpenSSH public key, as `ssh-keygen -l` prints it. */
export function fingerprintOf(publicKey: string): string {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return `SHA256:${createHash("sha256").update(key.getPublicSSH()).digest("base64").replace(/=+$/, "")}`;
}

export class SimCluster {
  readonly servers = new Map<string, SimHostServer>();
  readonly clientKeyPath: string;
  private readonly fingerprints = new Map<string, string>();
  readonly user: string;

  constructor(private readonly opts: SimClusterOptions) {
    this.user = opts.user ?? "root";
    this.clientKeyPath = path.resolve(opts.stateDir, "id_ed25519");
    const client = ensureKeyPair(this.clientKeyPath, "ferry@demo");
    let i = 0;
    for (const name of opts.world.hosts.keys()) {
      const hostKey = ensureKeyPair(path.resolve(opts.stateDir, "hosts", name, "ssh_host_ed25519_key"), `root@${name}`);
      this.fingerprints.set(name, fingerprintOf(hostKey.publicKey));
      this.servers.set(
        name,
        new SimHostServer({
          world: opts.world,
          name,
          hostKey: hostKey.privateKey,
          authorizedKey: client.publicKey,
          user: this.user,
          port: opts.basePort ? opts.basePort + i : 0,
        }),
      );
      i++;
    }
    this.wire();
  }

  get world() {
    return this.opts.world;
  }

  private wire() {
    this.opts.world.isUp = (name) => this.servers.get(name)?.up ?? false;
    this.opts.world.remoteShell = (name, command, io) => this.server(name).runCommand(command, io);
  }

  async start(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }

  server(name: string): SimHostServer {
    const s = this.servers.get(name);
    if (!s) throw new Error(`no simulated host ${name}`);
    return s;
  }

  describe(): SimHostInfo[] {
    return [...this.servers.values()].map((s) => ({
      name: s.name,
      address: "127.0.0.1",
      port: s.port,
      user: this.user,
      keyPath: this.clientKeyPath,
      fingerprint: this.fingerprints.get(s.name)!,
      up: s.up,
      toolstack: toolstackOf(this.opts.world.host(s.name)),
    }));
  }

  /** The line a person pastes into a terminal to reach a host with plain OpenSSH. */
  static sshLine(h: SimHostInfo): string {
    return `${h.name.padEnd(6)} ssh -i ${h.keyPath} -p ${h.port} -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no ${h.user}@${h.address}   # host key ${h.fingerprint}`;
  }
}

export function writeClusterFile(file: string, hosts: SimHostInfo[], controlUrl: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ controlUrl, hosts }, null, 2));
}
