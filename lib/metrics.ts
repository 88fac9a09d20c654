import client from "prom-client";
import type { Inventory } from "./inventory/inventory";
import type { JobEngine } from "./jobs/engine";
import { isFinal, type JobSummary } from "./jobs/types";

// Ferry's metrics in Prometheus' text format (prom-client), named as the ecosystem's exporters name theirs
// (KubeVirt: kubevirt_vmi_migration_*): `ferry_` + what + unit. One registry per process; every series carries the
// instance label so several Ferry instances can be told apart.

export interface Metrics {
  registry: client.Registry;
  /** the socket.io clients connected now */
  setSocketClients(n: number): void;
  /** several instances: this instance leads (refreshes the inventory) or not */
  setLeader(leading: boolean): void;
  /** several instances: jobs and evacuations this instance adopted from one whose lease lapsed */
  adopted(jobs: number, evacuations: number): void;
}

export function createMetrics(inventory: Inventory, jobs: JobEngine, instance: string): Metrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ instance });
  client.collectDefaultMetrics({ register: registry, prefix: "ferry_" });

  const jobsTotal = new client.Counter({
    name: "ferry_jobs_total",
    help: "Jobs that ended, by kind (migrate, save, restore, move) and outcome (succeeded, failed, cancelled, interrupted).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "ferry_migration_duration_seconds",
    help: "Live migrations that succeeded: from start to the domain running on the target.",
    labelNames: ["toolstack"],
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const downtime = new client.Histogram({
    name: "ferry_migration_downtime_seconds",
    help: "Live migrations that succeeded: how long the guest was stopped (QEMU's figure, or measured from outside for Xen).",
    labelNames: ["toolstack"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const bytes = new client.Counter({
    name: "ferry_migration_data_processed_bytes_total",
    help: "Memory sent by jobs that ended (live migrations, saves, restores, moves).",
    labelNames: ["kind"],
    registers: [registry],
  });
  const hostUp = new client.Gauge({
    name: "ferry_host_up",
    help: "1 when Ferry reached the host at its last refresh, 0 when it is unreachable or still connecting.",
    labelNames: ["host", "toolstack"],
    registers: [registry],
  });
  const refresh = new client.Histogram({
    name: "ferry_host_refresh_seconds",
    help: "How long one host's inventory refresh took.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const domains = new client.Gauge({
    name: "ferry_host_domains",
    help: "Guest domains a host reported at its last refresh.",
    labelNames: ["host"],
    registers: [registry],
  });
  const events = new client.Counter({
    name: "ferry_job_events_total",
    help: "Job events emitted to the browsers.",
    registers: [registry],
  });
  const sockets = new client.Gauge({
    name: "ferry_socket_clients",
    help: "socket.io clients connected to this instance.",
    registers: [registry],
  });
  new client.Gauge({
    name: "ferry_jobs_active",
    help: "Jobs queued, checking or running on this instance.",
    registers: [registry],
    collect() {
      this.set(jobs.activeSummaries().filter((s) => !isFinal(s.status)).length);
    },
  });
  const toolstackOf = new Map<string, string>();
  const labelsOf = new Map<string, { host: string; toolstack: string }>();
  inventory.on("host", (view) => {
    toolstackOf.set(view.name, view.toolstack);
    labelsOf.set(view.id, { host: view.name, toolstack: view.toolstack });
    hostUp.set({ host: view.name, toolstack: view.toolstack }, view.status === "online" ? 1 : 0);
    if (view.status === "online") domains.set({ host: view.name }, view.domains.filter((d) => d.id !== 0).length);
    if (view.refreshMs !== null) refresh.observe(view.refreshMs / 1000);
  });
  // a removed host's series go with it
  inventory.on("removed", (id) => {
    const labels = labelsOf.get(id);
    if (!labels) return;
    labelsOf.delete(id);
    hostUp.remove(labels);
    domains.remove({ host: labels.host });
  });
  const counted = new Set<string>();
  jobs.on("summary", (s: JobSummary) => {
    if (!isFinal(s.status) || counted.has(s.id)) return;
    counted.add(s.id);
    if (counted.size > 10_000) counted.clear();
    jobsTotal.inc({ kind: s.kind, outcome: s.status });
    if (s.bytesSent > 0) bytes.inc({ kind: s.kind }, s.bytesSent);
    if (s.kind === "migrate" && s.status === "succeeded") {
      const toolstack = toolstackOf.get(s.sourceName) ?? "unknown";
      if (s.startedAt && s.finishedAt)
        duration.observe({ toolstack }, (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000);
      if (s.downtimeMs !== null) downtime.observe({ toolstack }, s.downtimeMs / 1000);
    }
  });
  jobs.on("event", () => events.inc());
  const leader = new client.Gauge({
    name: "ferry_cluster_leader",
    help: "1 when this instance leads (refreshes the inventory for all); 0 when another does. Alone, always 1.",
    registers: [registry],
  });
  leader.set(1);
  const adopted = new client.Counter({
    name: "ferry_cluster_adopted_total",
    help: "Unfinished work this instance adopted from an instance whose lease lapsed, by what (job, evacuation).",
    labelNames: ["what"],
    registers: [registry],
  });
  adopted.inc({ what: "job" }, 0);
  adopted.inc({ what: "evacuation" }, 0);
  return {
    registry,
    setSocketClients: (n) => sockets.set(n),
    setLeader: (on) => leader.set(on ? 1 : 0),
    adopted: (j, e) => {
      adopted.inc({ what: "job" }, j);
      adopted.inc({ what: "evacuation" }, e);
    },
  };
}

/**
 * Who may read /metrics (FERRY_METRICS): "off" — nobody (the default: metrics tell a lot about the cluster);
 * "token" — with `Authorization: Bearer $FERRY_METRICS_TOKEN` (set FERRY_METRICS_TOKEN alone to choose this);
 * "port" — anyone who reaches FERRY_METRICS_PORT (default 9464) on FERRY_METRICS_LISTEN (default 127.0.0.1).
 */
export function metricsAccess(
  env: Record<string, string | undefined> = process.env,
): { mode: "off" } | { mode: "token"; token: string } | { mode: "port"; port: number; host: string } {
  const mode = env.FERRY_METRICS ?? (env.FERRY_METRICS_TOKEN ? "token" : env.FERRY_METRICS_PORT ? "port" : "off");
  if (mode === "token") {
    if (!env.FERRY_METRICS_TOKEN || env.FERRY_METRICS_TOKEN.length < 16)
      throw new Error("FERRY_METRICS=token needs FERRY_METRICS_TOKEN of at least 16 characters.");
    return { mode, token: env.FERRY_METRICS_TOKEN };
  }
  if (mode === "port")
    return { mode, port: Number(env.FERRY_METRICS_PORT ?? 9464), host: env.FERRY_METRICS_LISTEN ?? "127.0.0.1" };
  if (mode !== "off") throw new Error(`FERRY_METRICS is "${mode}": it takes off, token or port.`);
  return { mode: "off" };
}
