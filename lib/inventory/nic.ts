import { targetAddressOf } from "../checks/migration";
import { hostArgv, routeDevice } from "../toolstacks/linux/host-commands";
import type { Inventory } from "./inventory";
import type { NicReader } from "./usage-history";

// A host's migration NIC — the device its route to the other hosts leaves by (`ip route get`, as a migration's own
// byte count finds it) — and its byte counters (/sys/class/net/DEV/statistics), for the network series of the host page.

export function nicReader(inventory: Inventory): NicReader {
  /** the device per host, looked up once (a route seldom changes; a failed read looks it up again) */
  const devices = new Map<string, string>();
  return async (view) => {
    const conn = inventory.connection(view);
    let dev = devices.get(view.id);
    if (!dev) {
      const peer = inventory.snapshot().find((h) => h.id !== view.id && h.status === "online" && h.facts);
      if (!peer) return null;
      const found = await routeDevice(conn, targetAddressOf(peer));
      if (!found || found === "lo") return null;
      dev = found;
    }
    const read = async (argv: string[]) => {
      const r = await conn.exec(argv, { timeoutMs: 5_000 });
      const n = Number(r.stdout.trim());
      return r.code === 0 && r.stdout.trim() !== "" && Number.isFinite(n) ? n : null;
    };
    const [rx, tx] = await Promise.all([read(hostArgv.rxBytes(dev)), read(hostArgv.txBytes(dev))]);
    if (rx === null || tx === null) {
      devices.delete(view.id);
      return null;
    }
    devices.set(view.id, dev);
    return { nic: dev, rx, tx };
  };
}
