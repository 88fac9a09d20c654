// Roles and what each may do; pure and shared by server and client.

export const roles = ["viewer", "operator", "admin"] as const;
export type Role = (typeof roles)[number];

/** Who may call a route or socket event: a role or better, any session, or anyone. */
export type Access = Role | "session" | "public";

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (roles as readonly string[]).includes(v);
}

export function hasRole(role: Role, min: Role): boolean {
  return rank[role] >= rank[min];
}

export const roleWords: Record<Role, string> = {
  viewer: "viewers see the cluster, history and audit log",
  operator: "operators also run jobs",
  admin: "admins also manage hosts and users",
};

/** The people who may do something that needs `min`, in words ("operators and admins"). */
export function whoMay(min: Role): string {
  return { viewer: "any signed-in user", operator: "operators and admins", admin: "admins" }[min];
}
