import { SshConnection } from "./connection";
import type { SshTarget } from "./types";

/** One SshConnection per host id; replaced when the host's address, key or credentials change. */
export class SshPool {
  private readonly conns = new Map<string, { key: string; conn: SshConnection }>();

  get(id: string, label: string, target: SshTarget): SshConnection {
    const key = JSON.stringify(target);
    const existing = this.conns.get(id);
    if (existing && existing.key === key) return existing.conn;
    existing?.conn.close();
    const conn = new SshConnection(label, target);
    this.conns.set(id, { key, conn });
    return conn;
  }

  remove(id: string): void {
    this.conns.get(id)?.conn.close();
    this.conns.delete(id);
  }

  closeAll(): void {
    for (const { conn } of this.conns.values()) conn.close();
    this.conns.clear();
  }
}
