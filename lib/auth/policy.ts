import type { Access } from "./roles";

// The one table of who may call what. Every route handler names its row (lib/http/handler.ts);
// the access test walks this table and checks that every route file under app/api has its rows.

export interface RouteRule {
  access: Access /** audit action recorded for every call, ok or not */;
  audit?: string;
}

export const routePolicy = {
  "POST /api/auth/login": { access: "public", audit: "auth.login" },
  "POST /api/auth/logout": { access: "session", audit: "auth.logout" },
  "GET /api/auth/session": { access: "session" },
  "POST /api/auth/password": { access: "session", audit: "auth.password" },
  "POST /api/setup": { access: "public", audit: "setup.first-admin" },
  "GET /api/hosts": { access: "viewer" },
  "POST /api/hosts": { access: "admin", audit: "host.add" },
  "POST /api/hosts/scan": { access: "admin", audit: "host.scan" },
  "DELETE /api/hosts/[id]": { access: "admin", audit: "host.remove" },
  "POST /api/hosts/[id]/test": { access: "operator", audit: "host.test" },
  "POST /api/inventory/refresh": { access: "viewer" },
  "GET /api/users": { access: "admin" },
  "POST /api/users": { access: "admin", audit: "user.add" },
  "PATCH /api/users/[id]": { access: "admin", audit: "user.role" },
  "POST /api/users/[id]/password": { access: "admin", audit: "user.password" },
  "GET /api/tokens": { access: "admin" },
  "POST /api/tokens": { access: "admin", audit: "token.create" },
  "DELETE /api/tokens/[id]": { access: "admin", audit: "token.revoke" },
  "DELETE /api/users/[id]": { access: "admin", audit: "user.remove" },
  "GET /api/audit": { access: "viewer" },
  "POST /api/checks/migration": { access: "operator" },
  "GET /api/jobs": { access: "viewer" },
  "POST /api/jobs": { access: "operator", audit: "job.start" },
  "POST /api/domains/power": { access: "operator", audit: "domain.power" },
  "POST /api/checks/restore": { access: "operator" },
  "POST /api/checks/move": { access: "operator" },
  "POST /api/checks/save": { access: "operator" },
  "GET /api/images": { access: "viewer" },
  "POST /api/images/discover": { access: "operator", audit: "image.discover" },
  "POST /api/images/[id]/verify": { access: "operator", audit: "image.verify" },
  "DELETE /api/images/[id]": { access: "operator", audit: "image.delete" },
  "GET /api/images/retention": { access: "viewer" },
  "POST /api/images/retention/rules": { access: "operator", audit: "image.retention.rule.add" },
  "DELETE /api/images/retention/rules/[id]": { access: "operator", audit: "image.retention.rule.remove" },
  "POST /api/images/retention/apply": { access: "operator", audit: "image.retention.apply" },
  "GET /api/jobs/[id]": { access: "viewer" },
  "POST /api/jobs/[id]/cancel": { access: "operator", audit: "job.cancel" },
  "POST /api/jobs/[id]/tune": { access: "operator", audit: "job.tune" },
  "POST /api/hosts/[id]/maintenance": { access: "operator", audit: "host.maintenance" },
  "POST /api/evacuations/plan": { access: "operator" },
  "GET /api/evacuations": { access: "viewer" },
  "POST /api/evacuations": { access: "operator", audit: "evacuation.start" },
  "GET /api/evacuations/[id]": { access: "viewer" },
  "POST /api/evacuations/[id]/stop": { access: "operator", audit: "evacuation.stop" },
  "POST /api/group-moves/plan": { access: "operator" },
  "POST /api/group-moves": { access: "operator", audit: "group-move.start" },
  "GET /api/placement": { access: "viewer" },
  "PUT /api/placement/domains": { access: "operator", audit: "placement.domain" },
  "POST /api/placement/rules": { access: "operator", audit: "placement.rule.add" },
  "DELETE /api/placement/rules/[id]": { access: "operator", audit: "placement.rule.remove" },
  "GET /api/balance": { access: "viewer" },
  "POST /api/balance/plan": { access: "operator" },
  "POST /api/balance": { access: "operator", audit: "balance.apply" },
  "PUT /api/balance/settings": { access: "admin", audit: "balance.settings" },
} as const satisfies Record<string, RouteRule>;

export type RouteKey = keyof typeof routePolicy;

/** socket.io events a client may send, and who may send them. Connecting needs a session. */
export const socketPolicy = {
  "inventory:refresh": "viewer",
  "job:subscribe": "viewer",
} as const satisfies Record<string, Access>;

/** Pages and the role they need; the rest of a page's actions are checked by their routes. */
export const pagePolicy = {
  "/": "viewer",
  "/hosts": "viewer",
  "/audit": "viewer",
  "/users": "admin",
  "/account": "viewer",
  "/history": "viewer",
  "/jobs/[id]": "viewer",
  "/images": "viewer",
  "/hosts/[id]": "viewer",
  "/hosts/[id]/maintenance": "viewer",
  "/domains/[key]": "viewer",
  "/group-moves/[id]": "viewer",
  "/balance": "viewer",
} as const satisfies Record<string, Access>;
