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
    id: row.id, name: row.name, address: row.address, port: row.port, user: row.user,
    authMethod: row.authMethod === "agent" ? "agent" : "key", keyPath: row.keyPath,
    fingerprint: row.fingerprint, toolstack: row.toolstack as ToolstackName, imageDir: row.imageDir,
  };
}

/** Adding, testing and removing hosts: the database and the live inventory change together. */
export class HostService {
  constructor(private readonly db: Db, private readonly inventory: Inventory) {}

  async loadAll(): Promise<void> {
    for (const row of await this.db.host.findMany()) this.inventory.upsert(recordFromRow(row));
  }

  /** First contact: the key the host offers, for the operator to compare and accept. */
  scan(input: ScanHostInput): Promise<ScannedHostKey> {
    return scanHostKey(input.address, input.port);
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
    const keyPath = input.authMethod === "key" ? input.keyPath : null;
    const snapshot = await this.probe({ ...input, keyPath, toolstack: "xl" });
    if (snapshot.facts.imageDir?.state === "missing") {
      throw new AppError("invalid_input", `The image directory ${input.imageDir} does not exist on ${input.name}; create it (mode 700) or choose another.`);
    }
    const row = await this.db.host.create({
      data: { name: input.name, address: input.address, port: input.port, user: input.user, authMethod: input.authMethod,
        keyPath, fingerprint: input.fingerprint, toolstack: "xl", imageDir: input.imageDir, factsJson: JSON.stringify(snapshot.facts), lastSeenAt: new Date() },
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

  async remove(id: string): Promise<void> {
    const deleted = await this.db.host.deleteMany({ where: { id } });
    if (deleted.count === 0) throw new AppError("not_found", "No such host.");
    this.inventory.remove(id);
  }

  private async probe(rec: Omit<HostRecord, "id">): Promise<HostSnapshot> {
    const conn = new SshConnection(rec.name, {
      address: rec.address, port: rec.port, user: rec.user, fingerprint: rec.fingerprint,
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
