import type { StreamStatus } from "../use-inventory";

/** Whether the page's live connection is up; signed out, a link to log in again. */
export function StreamBadge({ status }: { status: StreamStatus }) {
  const look = {
    connecting: "bg-amber-100 text-amber-800",
    live: "bg-emerald-100 text-emerald-800",
    disconnected: "bg-red-100 text-red-800",
    "signed-out": "bg-red-100 text-red-800",
  }[status];
  const words = {
    connecting: "connecting…",
    live: "live",
    disconnected: "disconnected — retrying",
    "signed-out": "session ended — log in again",
  }[status];
  if (status === "signed-out")
    return (
      <a
        href="/login"
        className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${look}`}
        data-testid="stream-status"
        data-status={status}
      >
        {words}
      </a>
    );
  return (
    <span
      className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${look}`}
      data-testid="stream-status"
      data-status={status}
    >
      {words}
    </span>
  );
}
