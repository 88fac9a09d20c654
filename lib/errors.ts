// One error type for the whole app: a stable code the UI and tests match on, a message a person
// understands, and optional detail (raw stderr, the offending value). Never match on the message.

export const errorStatus = {
  invalid_input: 400,
  invalid_argument: 400,
  unauthorized: 401,
  session_expired: 401,
  forbidden: 403,
  csrf_failed: 403,
  rate_limited: 429,
  busy: 503,
  not_found: 404,
  conflict: 409,
  host_key_unknown: 409,
  host_key_changed: 409,
  ssh_connection_refused: 502,
  ssh_timeout: 504,
  ssh_auth_failed: 502,
  ssh_key_unreadable: 400,
  ssh_agent_unavailable: 400,
  ssh_channel_failed: 502,
  ssh_disconnected: 502,
  host_unreachable: 502,
  host_not_found: 502,
  aborted: 499,
  toolstack_not_found: 502,
  toolstack_parse_error: 502,
  toolstack_error: 502,
  domain_not_found: 404,
  domain_ambiguous: 409,
  check_failed: 409,
  migrate_target_oom: 502,
  migrate_link_lost: 502,
  migrate_target_start_failed: 502,
  migrate_target_unreachable: 502,
  migrate_target_unknown: 502,
  migrate_handshake_lost: 502,
  migrate_failed: 502,
  migrate_cancelled: 499,
  migrate_stalled: 502,
  ssh_lost_during_job: 502,
  save_no_space: 507,
  save_unwritable: 502,
  save_failed: 502,
  restore_failed: 502,
  restore_no_memory: 409,
  restore_domid_recent: 409,
  migrate_same_host: 409,
  image_missing: 404,
  image_corrupt: 422,
  image_changed: 409,
  domain_exists: 409,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return errorStatus[this.code];
  }
  toJSON() {
    return { code: this.code, message: this.message, ...(this.detail !== undefined ? { detail: this.detail } : {}) };
  }
}

/**
 * True for an AppError from any copy of this module: Next bundles route handlers apart from
 * server.ts, so an error thrown by the services is not `instanceof` the route's AppError class.
 */
export function isAppError(e: unknown): e is AppError {
  return (
    e instanceof Error &&
    e.name === "AppError" &&
    typeof (e as AppError).code === "string" &&
    (e as AppError).code in errorStatus
  );
}

export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isAppError(e)) return new AppError(e.code, e.message, e.detail);
  return new AppError("internal", e instanceof Error ? e.message : String(e));
}
