// One Node process: Next.js pages and route handlers, socket.io on the same port, and the services
// (database, SSH pool, inventory). `npm run dev` / `npm start`; `npm run demo` adds the simulated cluster.
import http from "node:http";
import { pathToFileURL } from "node:url";
import next from "next";
import { Server as IOServer } from "socket.io";
import { openDatabase, databaseFile } from "./lib/db/client";
import { SshPool } from "./lib/ssh/pool";
import { Inventory } from "./lib/inventory/inventory";
import { HostService } from "./lib/hosts/service";
import { setServices, type Services } from "./lib/runtime";
import { ROOM_CLUSTER, refreshRequestSchema, type ClientToServerEvents, type ServerToClientEvents } from "./lib/events";
import { toAppError } from "./lib/errors";
import { log } from "./lib/log";

export interface FerryServer { url: string; services: Services; close(): Promise<void> }

export async function startFerry(opts: { port?: number; host?: string; dev?: boolean } = {}): Promise<FerryServer> {
  const port = opts.port ?? Number(process.env.PORT ?? 3000);
  const host = opts.host ?? process.env.FERRY_LISTEN ?? "127.0.0.1";
  const dev = opts.dev ?? process.env.NODE_ENV !== "production";

  const { db, applied } = openDatabase();
  if (applied.length) log.info({ applied, file: databaseFile() }, "database migrated");
  const inventory = new Inventory(new SshPool(), Number(process.env.FERRY_REFRESH_MS ?? 5_000));
  const hosts = new HostService(db, inventory);
  const services: Services = { db, inventory, hosts };
  setServices(services);

  const app = next({ dev, hostname: host, port, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => void handle(req, res));
  const io = new IOServer<ClientToServerEvents, ServerToClientEvents>(server, { serveClient: false });

  inventory.on("host", (view) => io.to(ROOM_CLUSTER).emit("inventory:host", view));
  inventory.on("removed", (id) => io.to(ROOM_CLUSTER).emit("inventory:host-removed", { id }));
  inventory.on("refreshed", (r) => io.to(ROOM_CLUSTER).emit("inventory:refreshed", r));

  io.on("connection", (socket) => {
    void socket.join(ROOM_CLUSTER);
    socket.emit("inventory:snapshot", inventory.snapshot());
    socket.on("inventory:refresh", async (payload, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const parsed = refreshRequestSchema.safeParse(payload ?? {});
      if (!parsed.success) return reply({ ok: false, error: { code: "invalid_input", message: "inventory:refresh takes no arguments." } });
      try {
        reply({ ok: true, value: await inventory.refreshAll() });
      } catch (e) {
        const err = toAppError(e);
        reply({ ok: false, error: { code: err.code, message: err.message } });
      }
    });
  });

  await hosts.loadAll();
  inventory.start();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info({ url, dev }, "Ferry is listening");

  return {
    url,
    services,
    async close() {
      inventory.stop();
      io.close();
      await new Promise((r) => server.close(r));
      await db.$disconnect();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ferry = await startFerry();
  console.log(`Ferry: ${ferry.url}`);
  const stop = async () => { await ferry.close(); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
