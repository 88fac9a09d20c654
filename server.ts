// One Node process: Next.js pages and route handlers, socket.io on the same port, and the services
// (database, SSH pool, inventory). `npm run dev` / `npm start`; `npm run demo` adds the simulated cluster.
import http from "node:http";
import os from "node:os";
import { timingSafeEqual } from "node:crypto";
import { pathToFileURL } from "node:url";
import next from "next";
import { Server as IOServer } from "socket.io";
import { createAdapter } from "@socket.io/postgres-adapter";
import { Cluster } from "./lib/cluster/cluster";
import { askPeers } from "./lib/cluster/ask-peers";
import { openDatabase, describeDatabase } from "./lib/db/client";
import { SshPool } from "./lib/ssh/pool";
import { Inventory } from "./lib/inventory/inventory";
import { HostService } from "./lib/hosts/service";
import { setServices, type Services } from "./lib/runtime";
import { AuthService, rateLimited, type SessionInfo } from "./lib/auth/service";
import { AuditLog } from "./lib/audit/service";
import { ApiTokens } from "./lib/auth/tokens";
import { CLIENT_IP_HEADER, PEER_HEADER, foreignOrigin, sessionToken } from "./lib/auth/request";
import { clientAddress, normaliseAddress } from "./lib/auth/client-address";
import { apiRouteRefusal } from "./lib/http/api-routes";
import { createMetrics, metricsAccess } from "./lib/metrics";
import { clusterRoom, hostForRole, hostsForRole } from "./lib/inventory/for-role";
import { bodyRefusal } from "./lib/http/body-limit";
import { socketPolicy } from "./lib/auth/policy";
import { hasRole, whoMay, type Access } from "./lib/auth/roles";
import {
  ROOM_CLUSTER,
  type InterServerEvents,
  type PeerAnswer,
  jobSubscribeSchema,
  refreshRequestSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "./lib/events";
import { JobEngine } from "./lib/jobs/engine";
import type { Check } from "./lib/checks/migration";
import { EvacuationService } from "./lib/evacuate/service";
import { MemoryHistory } from "./lib/inventory/memory-history";
import { summaryOf } from "./lib/jobs/store";
import { toAppError } from "./lib/errors";
import { log } from "./lib/log";

export interface FerryServer {
  url: string;
  services: Services;
  close(): Promise<void>;
}

export async function startFerry(opts: { port?: number; host?: string; dev?: boolean } = {}): Promise<FerryServer> {
  const port = opts.port ?? Number(process.env.PORT ?? 3000);
  const host = opts.host ?? process.env.FERRY_LISTEN ?? "127.0.0.1";
  const dev = opts.dev ?? process.env.NODE_ENV !== "production";

  const { db, applied, pgUrl } = await openDatabase();
  if (applied.length) log.info({ applied, database: describeDatabase() }, "database migrated");
  // on PostgreSQL, any number of instances share the work (lib/cluster/cluster.ts); FERRY_CLUSTER=off keeps one
  const cluster =
    pgUrl && process.env.FERRY_CLUSTER !== "off"
      ? new Cluster(pgUrl, { url: process.env.FERRY_PUBLIC_URL ?? `http://${host}:${port}` })
      : null;
  const inventory = new Inventory(new SshPool(), Number(process.env.FERRY_REFRESH_MS ?? 5_000));
  const hosts = new HostService(db, inventory);
  const auth = new AuthService(db, cluster ? { shared: cluster.pool } : {});
  const audit = new AuditLog(db);
  // the engine and the evacuations need each other (rules warn on a move; an evacuation submits moves), and the
  // engine asks the other instances through socket.io (set up below): each gets a function that looks the other up
  // when it is called, never a field assigned afterwards
  const jobs: JobEngine = new JobEngine(db, inventory, {
    pollMs: Number(process.env.FERRY_POLL_MS ?? 100),
    instanceId: cluster?.id,
    instanceName: cluster?.name,
    hostGate: cluster ? (id, hostId, max) => cluster.hostGate(id, hostId, max) : undefined,
    remote: cluster
      ? {
          cancel: (jobId) => askPeers((cb) => io.serverSideEmit("ferry:cancel", jobId, cb)),
          tune: (jobId, change, askedBy) =>
            askPeers((cb) => io.serverSideEmit("ferry:tune", { jobId, change, askedBy }, cb)),
        }
      : undefined,
    // the placement rules warn on every proposed live migration that would break one (the drag-and-drop checks)
    extraChecks: async (domain, target): Promise<Check[]> =>
      (await evacuations.rulesBrokenBy(domain, target)).map((reason: string) => ({
        id: "placement-rule",
        label: "Placement rules",
        status: "warn" as const,
        reason,
      })),
  });
  const evacuations: EvacuationService = new EvacuationService(db, inventory, jobs, hosts, cluster?.id ?? null);
  const memory = new MemoryHistory(db, { everyMs: 1000 * Number(process.env.FERRY_MEMORY_SAMPLE_SEC ?? 60) });
  memory.attach(inventory);
  const tokens = new ApiTokens(db);
  const services: Services = { db, inventory, hosts, auth, audit, jobs, evacuations, memory, tokens };
  setServices(services);
  let setupSecret: string | null = null;
  if ((await auth.userCount()) === 0) setupSecret = auth.issueSetupSecret();

  const access = metricsAccess();
  const metrics = createMetrics(inventory, jobs, cluster?.name ?? process.env.FERRY_INSTANCE ?? os.hostname());
  if (cluster) {
    metrics.setLeader(cluster.isLeader);
    cluster.on("leader", () => metrics.setLeader(true));
    cluster.on("follower", () => metrics.setLeader(false));
    cluster.on("orphans", (o) => metrics.adopted(o.jobs.length, o.evacuations.length));
  }
  const scrape = async (res: http.ServerResponse) => {
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(await metrics.registry.metrics());
  };
  let ready = false;
  /** Liveness (/healthz: the process answers) and readiness (/readyz: started, and the database answers). */
  const health = async (url: string, res: http.ServerResponse): Promise<boolean> => {
    if (url !== "/healthz" && url !== "/readyz") return false;
    let ok = true;
    let why = "Ferry is running.";
    if (url === "/readyz") {
      ok =
        ready &&
        (await db.$queryRawUnsafe("SELECT 1").then(
          () => true,
          () => false,
        ));
      why = ok ? "Ferry is ready." : ready ? "The database does not answer." : "Ferry is starting.";
    }
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(
      JSON.stringify({
        status: ok ? "ok" : "unavailable",
        message: why,
        // several instances: which one answered, and whether it leads (refreshes the inventory for all)
        ...(cluster ? { instance: cluster.name, leader: cluster.isLeader } : {}),
      }),
    );
    return true;
  };
  const metricsServer =
    access.mode === "port"
      ? http.createServer((req, res) => {
          if (req.url === "/metrics") return void scrape(res);
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("Only /metrics here.\n");
        })
      : null;
  if (metricsServer && access.mode === "port")
    await new Promise<void>((r) => metricsServer.listen(access.port, access.host, r));

  const app = next({ dev, hostname: host, port, dir: process.cwd() });
  await app.prepare();
  // the lease starts once Next is prepared: loading the app blocks the event loop for seconds on a busy machine, and
  // a lease not renewed for FERRY_LEASE_MS ends the instance (CI saw one exit 70 while starting beside other work)
  await cluster?.start();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    // rate limits and the audit log key on the TCP peer (or what the trusted proxy says the client is), never on a
    // header the client could forge
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"]);
    req.headers[PEER_HEADER] = normaliseAddress(req.socket.remoteAddress);
    // cheap refusals first: an API body over the limit is refused before anything reads it
    const refused = bodyRefusal(req.method ?? "GET", req.url ?? "/", req.headers);
    if (refused) {
      res.writeHead(refused.status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
      req.resume();
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" || path === "/readyz") return void health(path, res);
    if (path === "/metrics") {
      const auth = req.headers.authorization ?? "";
      const allowed =
        access.mode === "token" &&
        auth.length === access.token.length + 7 &&
        timingSafeEqual(Buffer.from(auth), Buffer.from(`Bearer ${access.token}`));
      if (allowed) return void scrape(res);
      res.writeHead(access.mode === "token" ? 401 : 404, {
        "content-type": "application/json",
        "cache-control": "no-store",
      });
      res.end(
        JSON.stringify({
          error: {
            code: access.mode === "token" ? "unauthorized" : "not_found",
            message:
              access.mode === "token"
                ? "Send the metrics token: Authorization: Bearer <FERRY_METRICS_TOKEN>."
                : access.mode === "port"
                  ? `Metrics are served on their own port (${access.port}).`
                  : "Metrics are off: set FERRY_METRICS_TOKEN (or FERRY_METRICS=port) to turn them on.",
          },
        }),
      );
      return;
    }
    // an address Ferry has no API at, or a method it does not take: a sentence, not Next's HTML page or empty 405
    const unknown = apiRouteRefusal(req.method ?? "GET", req.url ?? "/");
    if (unknown) {
      res.writeHead(unknown.status, {
        "content-type": "application/json",
        "cache-control": "no-store",
        ...(unknown.allow ? { allow: unknown.allow } : {}),
      });
      res.end(JSON.stringify({ error: { code: unknown.code, message: unknown.message } }));
      req.resume();
      return;
    }
    // a login from an address that has used up its attempts is refused here, before Next parses anything
    if (req.method === "POST" && req.url === "/api/auth/login") {
      const ip = req.headers[CLIENT_IP_HEADER] as string;
      void auth.addressBlockedFor(ip).then((ms) => {
        if (ms === null) return void handle(req, res);
        const e = rateLimited(ms);
        void audit
          .recordRepeated({
            actor: "anonymous",
            action: "auth.login",
            outcome: "refused",
            detail: { code: e.code, message: e.message },
            ip,
          })
          .catch((err) => log.error({ err }, "audit write failed"));
        res.writeHead(429, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
        req.resume();
      });
      return;
    }
    void handle(req, res);
  });
  // An idle keep-alive connection is closed by the server after keepAliveTimeout; a client (a browser, nginx's upstream
  // pool, Playwright) that sends its next request on it at that moment gets ECONNRESET, and on a busy server the
  // moment widens to the event loop's lag. Node's 5 s sits inside every client's idle gaps; 75 s outlasts nginx's
  // upstream keepalive_timeout (60 s), as proxies' own guides ask. Headers still get their own deadline, longer.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;
  const io = new IOServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, { session: SessionInfo }>(
    server,
    { serveClient: false },
  );
  if (cluster) {
    // every browser sees every instance's events: rooms and broadcasts go through PostgreSQL (LISTEN/NOTIFY)
    io.adapter(createAdapter(cluster.pool));
    // a host's view refreshed here goes to the other instances' pictures; theirs come here
    inventory.on("host", (view) => io.serverSideEmit("ferry:host", view));
    inventory.on("removed", (id) => io.serverSideEmit("ferry:host-removed", id));
    io.on("ferry:host", (view) => inventory.applyRemote(view));
    io.on("ferry:host-removed", (id) => inventory.removeRemote(id));
    // a cancel or a tune asked here for a job another instance runs is passed to it
    const answer = (p: Promise<{ id: string } & object>, reply: (a: PeerAnswer) => void) =>
      p.then(
        (value) => reply({ ok: true, value: value as never }),
        (e) => {
          const err = toAppError(e);
          reply({ ok: false, code: err.code, message: err.message });
        },
      );
    io.on("ferry:cancel", (jobId, reply) => {
      if (!jobs.runs(jobId)) return reply(null);
      void answer(jobs.cancel(jobId), reply);
    });
    io.on("ferry:tune", (req, reply) => {
      if (!jobs.runs(req.jobId)) return reply(null);
      void answer(jobs.tune(req.jobId, req.change as never, req.askedBy), reply);
    });
  }

  // Every socket needs a live session and must come from Ferry's own pages (its Origin, as the HTTP routes check
  // it); it joins a room per session so logout can disconnect it.
  io.use((socket, next) => {
    const h = socket.request.headers;
    const forwarded = h["x-forwarded-host"];
    if (
      foreignOrigin({
        origin: h.origin,
        host: h.host,
        forwardedHost: Array.isArray(forwarded) ? forwarded[0] : forwarded,
        peer: normaliseAddress(socket.request.socket.remoteAddress),
      })
    )
      return next(new Error(`Refused a connection from another site (${h.origin}).`));
    auth.session(sessionToken(socket.request.headers.cookie)).then(
      (session) => {
        socket.data.session = session;
        next();
      },
      (e) => next(new Error(toAppError(e).message)),
    );
  });
  auth.on("session-ended", (id) => io.in(`session:${id}`).disconnectSockets(true));
  // a user whose role changes moves to the other room at once, with the picture their new role may see
  auth.on("role-changed", (userId, role) => {
    const sockets = io.in(`user:${userId}`);
    sockets.socketsLeave([clusterRoom("admin"), clusterRoom("viewer")]);
    sockets.socketsJoin(clusterRoom(role));
    sockets.emit("inventory:snapshot", hostsForRole(inventory.snapshot(), role));
  });

  // a host's view goes out twice: whole to admins, without the private key's path to the other roles
  inventory.on("host", (view) => {
    io.to(clusterRoom("admin")).emit("inventory:host", view);
    io.to(clusterRoom("viewer")).emit("inventory:host", hostForRole(view, "viewer"));
  });
  inventory.on("removed", (id) => io.to(ROOM_CLUSTER).emit("inventory:host-removed", { id }));
  inventory.on("refreshed", (r) => io.to(ROOM_CLUSTER).emit("inventory:refreshed", r));
  jobs.on("summary", (s) => io.to(ROOM_CLUSTER).emit("job:summary", s));
  jobs.on("event", (e) => io.to(`job:${e.jobId}`).emit("job:event", e));

  io.on("connection", (socket) => {
    metrics.setSocketClients(io.engine.clientsCount);
    socket.on("disconnect", () => metrics.setSocketClients(io.engine.clientsCount));
    const { user } = socket.data.session;
    void socket.join([ROOM_CLUSTER, clusterRoom(user.role), `session:${socket.data.session.id}`, `user:${user.id}`]);
    socket.emit("inventory:snapshot", hostsForRole(inventory.snapshot(), user.role));
    socket.on("inventory:refresh", async (payload, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const refusal = await socketRefusal(auth, socket.data.session, "inventory:refresh");
      if (refusal) return reply({ ok: false, error: refusal });
      const parsed = refreshRequestSchema.safeParse(payload ?? {});
      if (!parsed.success)
        return reply({ ok: false, error: { code: "invalid_input", message: "inventory:refresh takes no arguments." } });
      try {
        reply({ ok: true, value: await inventory.refreshAll() });
      } catch (e) {
        const err = toAppError(e);
        reply({ ok: false, error: { code: err.code, message: err.message } });
      }
    });
    socket.on("job:subscribe", async (payload, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const refusal = await socketRefusal(auth, socket.data.session, "job:subscribe");
      if (refusal) return reply({ ok: false, error: refusal });
      const parsed = jobSubscribeSchema.safeParse(payload);
      if (!parsed.success)
        return reply({
          ok: false,
          error: { code: "invalid_input", message: "job:subscribe takes {jobId, afterSeq}." },
        });
      const row = await db.job.findUnique({ where: { id: parsed.data.jobId } });
      if (!row) return reply({ ok: false, error: { code: "not_found", message: "No such job." } });
      // join first, then read: an event written in between arrives twice and the reducer drops the repeat
      await socket.join(`job:${row.id}`);
      reply({ ok: true, value: { summary: summaryOf(row), events: await jobs.events(row.id, parsed.data.afterSeq) } });
    });
  });

  await hosts.loadAll();
  // one instance refreshes the hosts on a timer (the leader; alone, this one) and the others take its views
  if (!cluster || cluster.isLeader) inventory.start();
  cluster?.on("leader", () => inventory.start());
  cluster?.on("follower", () => inventory.pause());
  // work adopted from an instance whose lease lapsed: its jobs are closed (or started, if queued) by asking the
  // hosts, then its evacuations go on
  cluster?.on("orphans", (o) => {
    void jobs
      .recover(o.jobs)
      .then(() => evacuations.recover(o.evacuations))
      .catch((e) => log.error({ err: e }, "adopted work not recovered"));
  });
  // after a restart, close jobs the previous process left running (asks the hosts; does not block the start);
  // several instances: only those whose owner's lease has lapsed, claimed by this instance
  void inventory
    .refreshAll()
    .then(async () => {
      if (!cluster) return jobs.recover();
      cluster.adopt();
      await cluster.claimOrphans();
      return 0;
    })
    .then(async (n) => {
      if (n) log.info({ recovered: n }, "closed jobs left unfinished by the previous run");
      // evacuations go on from where each domain really is, once their jobs are closed
      const e = cluster ? 0 : await evacuations.recover();
      if (e) log.info({ evacuations: e }, "evacuations resumed");
    })
    .then(
      () => undefined,
      (e) => log.error({ err: e }, "job recovery failed"),
    );
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  ready = true;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info({ url, dev }, "Ferry is listening");
  if (setupSecret) {
    console.log(
      `\nFirst start: no users yet. Open ${url}/setup and enter this one-time secret to create the first admin:\n\n    ${setupSecret}\n\n(or run: npm run user:add -- --admin <name>)\n`,
    );
  }

  return {
    url,
    services,
    // a stop in order: no new requests or refreshes, then every job event and memory sample recorded so far is
    // stored and the audit log flushed, then the database goes (jobs still running are closed by the next start)
    async close() {
      inventory.stop();
      io.close();
      await cluster?.close();
      metricsServer?.close();
      await new Promise((r) => server.close(r));
      await jobs.drain();
      await memory.flushed();
      await audit.flush();
      await db.$disconnect();
    },
  };
}

/** Re-checks the session (it may have expired or ended) and the role an event needs. */
async function socketRefusal(auth: AuthService, session: SessionInfo, event: keyof typeof socketPolicy) {
  try {
    const live = await auth.sessionById(session.id);
    const need = socketPolicy[event] as Access;
    if (need !== "public" && need !== "session" && !hasRole(live.user.role, need)) {
      return { code: "forbidden", message: `Your role (${live.user.role}) cannot do this: ${whoMay(need)} can.` };
    }
    return null;
  } catch (e) {
    const err = toAppError(e);
    return { code: err.code, message: err.message };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ferry = await startFerry().catch((e: Error) => {
    // a configuration the operator can fix: say so in a sentence, not a stack trace
    console.error(`Ferry could not start: ${e.message}`);
    process.exit(1);
  });
  console.log(`Ferry: ${ferry.url}`);
  const stop = async () => {
    await ferry.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
