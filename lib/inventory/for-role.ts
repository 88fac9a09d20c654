import { hasRole, type Role } from "../auth/roles";
import type { HostView } from "./types";

/**
 * What a role may see of a host: the path of the server's private key is for admins only (it tells where to look
 * for the key that opens every host); others see that a key is used, not where it lies.
 */
export function hostForRole(view: HostView, role: Role): HostView {
  return hasRole(role, "admin") || view.keyPath === null ? view : { ...view, keyPath: null };
}

export function hostsForRole(views: HostView[], role: Role): HostView[] {
  return views.map((v) => hostForRole(v, role));
}

/** The socket room a session's live inventory goes to: admins get key paths, the other roles do not. */
export function clusterRoom(role: Role): string {
  return hasRole(role, "admin") ? "cluster:admin" : "cluster:others";
}
