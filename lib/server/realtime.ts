import type http from "node:http";
import { Server as IOServer } from "socket.io";
import type { Db } from "../db/client";
import type { AuthService, SessionInfo } from "../auth/service";
import { foreignOrigin, sessionToken } from "../auth/request";
import { normaliseAddress } from "../auth/client-address";
import { socketPolicy } from "../auth/policy";
import { hasRole, whoMay, type Access } from "../auth/roles";
import type { Inventory } from "../inventory/inventory";
import { clusterRoom, hostForRole, hostsForRole } from "../inventory/for-role";
import type { JobEngine } from "../jobs/engine";
import { summaryOf } from "../jobs/store";
import {
  ROOM_CLUSTER,
  jobSubscribeSchema,
  refreshRequestSchema,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
} from "../events";
import { toAppError } from "../errors";

// The browsers' live connection (socket.io on the HTTP server's port): who may connect (a live session, from
// Ferry's own pages), the rooms each socket joins (the cluster, its role's picture, its session, its user), what is
// pushed to them (hosts, jobs' summaries and events) and the two things a browser may ask (a refresh, a job's events).

export type FerryIO = IOServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, { session: SessionInfo }>;

export interface RealtimeDeps {
  db: Db;
  auth: AuthService;
  inventory: Inventory;
  jobs: JobEngine;
  /** how many browsers are connected, for the metrics */
  clients(count: number): void;
}

export function startRealtime(server: http.Server, deps: RealtimeDeps): FerryIO {
  const { db, auth, inventory, jobs } = deps;
  const io: FerryIO = new IOServer(server, { serveClient: false });

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

  // a host's view goes out when more than its clocks changed (lib/inventory/clocks.ts), twice: whole to admins,
  // without the private key's path to the other roles
  inventory.on("host", (view, changed) => {
    if (!changed) return;
    io.to(clusterRoom("admin")).emit("inventory:host", view);
    io.to(clusterRoom("viewer")).emit("inventory:host", hostForRole(view, "viewer"));
  });
  inventory.on("removed", (id) => io.to(ROOM_CLUSTER).emit("inventory:host-removed", { id }));
  inventory.on("refreshed", (r) => io.to(ROOM_CLUSTER).emit("inventory:refreshed", r));
  jobs.on("summary", (s) => io.to(ROOM_CLUSTER).emit("job:summary", s));
  jobs.on("event", (e) => io.to(`job:${e.jobId}`).emit("job:event", e));

  io.on("connection", (socket) => {
    deps.clients(io.engine.clientsCount);
    socket.on("disconnect", () => deps.clients(io.engine.clientsCount));
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
  return io;
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
