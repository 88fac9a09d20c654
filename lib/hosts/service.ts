import { AppError, toAppError } from "../errors";
import type { Db } from "../db/client";
import { SshConnection } from "../ssh/connection";
import { scanHostKey, type ScannedHostKey } from "../ssh/host-key";
import { drivers } from "../toolstacks";
import type { HostSnapshot, ToolstackName } from "../toolstacks/types";
import type { Inventory } from "../inventory/inventory";
import type { HostRecord, HostView } from "../inventory/types";
import type { AddHostInput, ScanHostInput } from "./schema";

type HostRow = Awaited<ReturnType<Db["host"]["findMany"]>>[number];

export function recordFromRow(row: HostRow): HostRecord {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    port: row.port,
    user: row.user,
    authMethod: row.authMethod === "agent" ? "agent" : "key",
    keyPath: row.keyPath,
    fingerprint: row.fingerprint,
    toolstack: row.toolstack as ToolstackName,
    imageDir: row.imageDir,
    maintenance: row.maintenance
      ? { since: (row.maintenanceSince ?? row.updatedAt).toISOString(), by: row.maintenanceBy ?? "?" }
      : null,
  };
}

/** Adding, testing and removing hosts: the database and the live inventory change together. */
export class HostService {
  constructor(
    private readonly db: Db,
    private readonly inventory: Inventory,
  ) {}

  async loadAll(): Promise<void> {
    for (const row of await this.db.host.findMany()) this.inventory.upsert(recordFromRow(row));
  }

  /**
   * First contact: the key the host offers, for the operator to compare and accept — and why it cannot be added,
   * when Ferry knows that already (the key or the address is a registered host's, the name is taken): said at the
   * scan, not after "Accept".
   */
  async scan(input: ScanHostInput): Promise<ScannedHostKey & { knownAs: string | null; refusal: string | null }> {
    const key = await scanHostKey(input.address, input.port);
    const sameKey = await this.db.host.findFirst({ where: { fingerprint: key.fingerprint } });
    if (sameKey)
      return {
        ...key,
        knownAs: sameKey.name,
        refusal: `This machine is already registered as ${sameKey.name}: it offers the same host key.`,
      };
    const sameAddress = await this.db.host.findFirst({ where: { address: input.address, port: input.port } });
    if (sameAddress)
      return {
        ...key,
        knownAs: sameAddress.name,
        refusal: `${input.address}:${input.port} is already registered as ${sameAddress.name}, with another host key: if the machine was reinstalled, remove ${sameAddress.name} and add it again.`,
      };
    const sameName = input.name ? await this.db.host.findUnique({ where: { name: input.name } }) : null;
    if (sameName)
      return { ...key, knownAs: null, refusal: `A host named ${input.name} already exists: choose another name.` };
    return { ...key, knownAs: null, refusal: null };
  }

  /**
   * Connects with the accepted fingerprint pinned, authenticates and reads the host once; only then
   * stores it. Any failure (changed key, refused key, no xl, unreachable) stores nothing.
   */
  async add(input: AddHostInput): Promise<HostView> {
    if (await this.db.host.findUnique({ where: { name: input.name } })) {
      throw new AppError("conflict", `A host named ${input.name} already exists.`);
    }
    const dup = await this.db.host.findFirst({ where: { address: input.address, port: input.port } });
    if (dup) throw new AppError("conflict", `${input.address}:${input.port} is already registered as ${dup.name}.`);
    // identity, not names: the same host key, or the same machine identity, is a host already registered
    const sameKey = await this.db.host.findFirst({ where: { fingerprint: input.fingerprint } });
    if (sameKey) {
      throw new AppError(
        "conflict",
        `This machine is already registered as ${sameKey.name}: it offers the same host key (${input.fingerprint}).`,
      );
    }
    const keyPath = input.authMethod === "key" ? input.keyPath : null;
    const { toolstack, snapshot } = await this.detect({ ...input, keyPath }, input.toolstack);
    const identity = snapshot.facts.identity;
    const twin = identity ? this.inventory.snapshot().find((h) => h.facts?.identity === identity) : undefined;
    if (twin)
      throw new AppError(
        "conflict",
        `This machine is already registered as ${twin.name}: both say they are ${identity}.`,
      );
    if (snapshot.facts.imageDir?.state === "missing") {
      throw new AppError(
        "invalid_input",
        `The image directory ${input.imageDir} does not exist on ${input.name}; create it (mode 700) or choose another.`,
      );
    }
    const row = await this.db.host.create({
      data: {
        name: input.name,
        address: input.address,
        port: input.port,
        user: input.user,
        authMethod: input.authMethod,
        keyPath,
        fingerprint: input.fingerprint,
        toolstack,
        imageDir: input.imageDir,
        factsJson: JSON.stringify(snapshot.facts),
        lastSeenAt: new Date(),
      },
    });
    this.inventory.upsert(recordFromRow(row));
    return this.inventory.get(row.id)!;
  }

  /** Connects afresh (no backoff) and reads the host; the inventory shows the outcome too. */
  async test(id: string): Promise<HostView> {
    const view = this.inventory.get(id);
    if (!view) throw new AppError("not_found", "No such host.");
    this.inventory.connection(view).retryNow();
    return this.inventory.refreshHost(id);
  }

  /** Maintenance on or off: stored first, then the live picture (every browser sees it). */
  async setMaintenance(id: string, on: boolean, by: string): Promise<HostView> {
    const view = this.inventory.get(id);
    if (!view) throw new AppError("not_found", "No such host.");
    const row = await this.db.host.update({
      where: { id },
      data: on
        ? { maintenance: true, maintenanceSince: new Date(), maintenanceBy: by }
        : { maintenance: false, maintenanceSince: null, maintenanceBy: null },
    });
    this.inventory.upsert(recordFromRow(row));
    return this.inventory.get(id)!;
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.db.host.deleteMany({ where: { id } });
    if (deleted.count === 0) throw new AppError("not_found", "No such host.");
    this.inventory.remove(id);
  }

  /** The stated toolstack, or (auto) the first driver whose command the host has (exit 127 means it has not). */
  private async detect(
    rec: Omit<HostRecord, "id" | "toolstack">,
    wanted: ToolstackName | "auto",
  ): Promise<{ toolstack: ToolstackName; snapshot: HostSnapshot }> {
    if (wanted !== "auto") return { toolstack: wanted, snapshot: await this.probe({ ...rec, toolstack: wanted }) };
    for (const d of Object.values(drivers)) {
      try {
        return { toolstack: d.name, snapshot: await this.probe({ ...rec, toolstack: d.name }) };
      } catch (e) {
        if (toAppError(e).code !== "toolstack_not_found") throw e;
      }
    }
    throw new AppError(
      "toolstack_not_found",
      `${rec.name} has none of ${Object.values(drivers)
        .map((d) => d.label)
        .join(", ")}; Ferry needs one of them on the host.`,
    );
  }

  private async probe(rec: Omit<HostRecord, "id">): Promise<HostSnapshot> {
    const conn = new SshConnection(rec.name, {
      address: rec.address,
      port: rec.port,
      user: rec.user,
      fingerprint: rec.fingerprint,
      auth: rec.authMethod === "agent" ? { kind: "agent" } : { kind: "key", keyPath: rec.keyPath ?? "" },
    });
    try {
      return await drivers[rec.toolstack].snapshot(conn, { withCpuFlags: true, imageDir: rec.imageDir });
    } catch (e) {
      throw toAppError(e);
    } finally {
      conn.close();
    }
  }
}
