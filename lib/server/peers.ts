import { createAdapter } from "@socket.io/postgres-adapter";
import type { Cluster } from "../cluster/cluster";
import { askPeers } from "../cluster/ask-peers";
import type { Inventory } from "../inventory/inventory";
import type { JobEngine, RemoteJobs } from "../jobs/engine";
import type { JobSummary } from "../jobs/types";
import type { PeerAnswer } from "../events";
import { toAppError } from "../errors";
import type { FerryIO } from "./realtime";

// Several instances on one PostgreSQL: what passes between them over socket.io's PostgreSQL adapter — every room and
// broadcast, each host's refreshed view, and a cancel or a tune asked here for a job another instance runs.

/** The engine's way to reach a job another instance runs; `io` is looked up when a cancel or tune is asked. */
export function remoteJobs(io: () => FerryIO): RemoteJobs {
  return {
    cancel: (jobId) => askPeers((cb) => io().serverSideEmit("ferry:cancel", jobId, cb)),
    tune: (jobId, change, askedBy) =>
      askPeers((cb) => io().serverSideEmit("ferry:tune", { jobId, change, askedBy }, cb)),
  };
}

export function joinPeers(io: FerryIO, cluster: Cluster, inventory: Inventory, jobs: JobEngine) {
  // every browser sees every instance's events: rooms and broadcasts go through PostgreSQL (LISTEN/NOTIFY)
  io.adapter(createAdapter(cluster.pool));
  // a host's view refreshed here goes to the other instances' pictures; theirs come here
  inventory.on("host", (view) => io.serverSideEmit("ferry:host", view));
  inventory.on("removed", (id) => io.serverSideEmit("ferry:host-removed", id));
  io.on("ferry:host", (view) => inventory.applyRemote(view));
  io.on("ferry:host-removed", (id) => inventory.removeRemote(id));
  // a cancel or a tune asked of another instance for a job this one runs: this one answers, the others say null
  const answer = (p: Promise<JobSummary>, reply: (a: PeerAnswer) => void) =>
    p.then(
      (value) => reply({ ok: true, value }),
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
    void answer(jobs.tune(req.jobId, req.change, req.askedBy), reply);
  });
}
