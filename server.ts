// One Node process: Next.js pages and route handlers, socket.io on the same port, and the services
// (database, SSH pool, inventory). `npm run dev` / `npm start`; `npm run demo` adds the simulated cluster.
import { DomainPower } from "./lib/domains/power";
import { Retention } from "./lib/images/retention-service";
import { BalanceService } from "./lib/balance/service";
import { BalanceSettingsStore } from "./lib/balance/settings";
import { AutoBalancer } from "./lib/balance/auto";
import { registerBalanceMetrics } from "./lib/balance/metrics";
import http from "node:http";
import os from "node:os";
import { pathToFileURL } from "node:url";
import next from "next";
import { Cluster } from "./lib/cluster/cluster";
import { openDatabase, describeDatabase } from "./lib/db/client";
import { SshPool } from "./lib/ssh/pool";
import { Inventory } from "./lib/inventory/inventory";
import { HostService } from "./lib/hosts/service";
import { setServices, type Services } from "./lib/runtime";
import { AuthService } from "./lib/auth/service";
import { AuditLog } from "./lib/audit/service";
import { ApiTokens } from "./lib/auth/tokens";
import { createMetrics, metricsAccess } from "./lib/metrics";
import { JobEngine } from "./lib/jobs/engine";
import { EvacuationService } from "./lib/evacuate/service";
import { Placement } from "./lib/evacuate/placement";
import { UsageHistory } from "./lib/inventory/usage-history";
import { nicReader } from "./lib/inventory/nic";
import { httpGate } from "./lib/server/http-gate";
import { startRealtime, type FerryIO } from "./lib/server/realtime";
import { joinPeers, remoteJobs } from "./lib/server/peers";
import { log } from "./lib/log";
import { listenOn } from "./lib/server/listen";

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
  // priorities, maximum downtimes and placement rules: the planner reads them, every proposed migration is checked
  const placement = new Placement(db, inventory);
  // the engine asks the other instances through socket.io (set up below) by a function that looks it up when called
  const jobs = new JobEngine(db, inventory, {
    pollMs: Number(process.env.FERRY_POLL_MS ?? 100),
    instanceId: cluster?.id,
    instanceName: cluster?.name,
    hostGate: cluster ? (id, hostId, max) => cluster.hostGate(id, hostId, max) : undefined,
    remote: cluster ? remoteJobs(() => io) : undefined,
    // the placement rules warn on every proposed live migration that would break one (the drag-and-drop checks)
    extraChecks: (domain, target) => placement.checks(domain, target),
  });
  const evacuations = new EvacuationService(db, inventory, jobs, hosts, placement, cluster?.id ?? null);
  const usage = new UsageHistory(
    db,
    { everyMs: 1000 * Number(process.env.FERRY_MEMORY_SAMPLE_SEC ?? 60) },
    nicReader(inventory),
  );
  usage.attach(inventory);
  const tokens = new ApiTokens(db);
  const power = new DomainPower({ db, inventory, activeJobOn: (d) => jobs.holderOf(d) });
  const retention = new Retention(db, jobs.catalog);
  // balancing: recommendations from the hosts' pressure, applied as evacuations; the automatic mode is off until set
  const balanceSettings = new BalanceSettingsStore(db);
  const balance = new BalanceService(db, inventory, jobs, placement, evacuations, usage, balanceSettings);
  const autoBalance = new AutoBalancer(balance, balanceSettings, audit, () => !cluster || cluster.isLeader);
  const services: Services = {
    db,
    inventory,
    hosts,
    auth,
    audit,
    jobs,
    evacuations,
    placement,
    usage,
    tokens,
    power,
    retention,
    balance,
    balanceSettings,
  };
  setServices(services);
  let setupSecret: string | null = null;
  if ((await auth.userCount()) === 0) setupSecret = auth.issueSetupSecret();

  const access = metricsAccess();
  const metrics = createMetrics(inventory, jobs, cluster?.name ?? process.env.FERRY_INSTANCE ?? os.hostname());
  registerBalanceMetrics(metrics.registry, inventory, balance);
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
  const metricsServer =
    access.mode === "port"
      ? http.createServer((req, res) => {
          if (req.url === "/metrics") return void scrape(res);
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("Only /metrics here.\n");
        })
      : null;
  if (metricsServer && access.mode === "port")
    await listenOn(metricsServer, access.port, access.host, "Ferry's metrics endpoint");

  const app = next({ dev, hostname: host, port, dir: process.cwd() });
  await app.prepare();
  // the lease starts once Next is prepared: loading the app blocks the event loop for seconds on a busy machine, and
  // a lease not renewed for FERRY_LEASE_MS ends the instance (CI saw one exit 70 while starting beside other work)
  await cluster?.start();
  const handle = app.getRequestHandler();
  const server = http.createServer(
    httpGate({
      db,
      auth,
      audit,
      access,
      scrape,
      instance: cluster ? () => ({ instance: cluster.name, leader: cluster.isLeader }) : null,
      ready: () => ready,
      handle,
    }),
  );
  // An idle keep-alive connection is closed by the server after keepAliveTimeout; a client (a browser, nginx's upstream
  // pool, Playwright) that sends its next request on it at that moment gets ECONNRESET, and on a busy server the
  // moment widens to the event loop's lag. Node's 5 s sits inside every client's idle gaps; 75 s outlasts nginx's
  // upstream keepalive_timeout (60 s), as proxies' own guides ask. Headers still get their own deadline, longer.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;
  const io: FerryIO = startRealtime(server, {
    db,
    auth,
    inventory,
    jobs,
    clients: (n) => metrics.setSocketClients(n),
  });
  if (cluster) joinPeers(io, cluster, inventory, jobs);
  await hosts.loadAll();
  // the port before any work: a Ferry that cannot listen stops here, before it refreshes hosts or closes any job
  await listenOn(server, port, host, "Ferry");
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
  autoBalance.start();
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
    // a stop in order: no new requests, refreshes or job starts, and the evacuations launch no more moves; then every
    // job event and memory sample recorded so far is stored and the audit log flushed; then the database goes (jobs
    // still running are closed by the next start by asking the hosts, and their evacuations go on from there)
    async close() {
      inventory.stop();
      jobs.close();
      evacuations.close();
      autoBalance.close();
      io.close();
      await cluster?.close();
      metricsServer?.close();
      await new Promise((r) => server.close(r));
      await jobs.drain();
      await usage.flushed();
      await audit.flush();
      await db.$disconnect();
    },
  };
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
