"use client";
import { useSyncExternalStore } from "react";
import { formatUptime } from "@/lib/format";
import { serverNow } from "../server-clock";
import type { HostView } from "@/lib/inventory/types";

// The server sends a host's view again only when more than its clocks changed (lib/inventory/clocks.ts), so an
// uptime on the page is the one read at the view's lastSeenAt, aged here. One timer for every uptime shown; each
// renders again only when its text changes (with seconds under an hour, minutes under a day, hours after).

/** as often as the inventory reads the hosts, which is how often uptimes changed on the page before */
const TICK_MS = 5_000;
let now = serverNow();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    now = serverNow();
    timer = setInterval(() => {
      now = serverNow();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearInterval(timer);
  };
}

/**
 * From when a host's uptimes age: the time its view was read, while it answers. A host that stopped answering shows
 * its domains as last seen, uptimes included — whether they still run is not known.
 */
export function agingFrom(host: Pick<HostView, "status" | "stale" | "lastSeenAt">): string | null {
  return host.status === "online" && !host.stale ? host.lastSeenAt : null;
}

/** An uptime read at `seenAt` (the server's time), as it is at `at`; never less than it was read. */
export function agedUptime(seconds: number, seenAt: string | null, at: number): number {
  const since = seenAt ? (at - Date.parse(seenAt)) / 1000 : 0;
  return seconds + (since > 0 ? Math.floor(since) : 0);
}

/** A domain's uptime ("—" when the toolstack does not say); the server's HTML shows it as read. */
export function Uptime({ seconds, seenAt }: { seconds: number | null; seenAt: string | null }) {
  return useSyncExternalStore(
    subscribe,
    () => formatUptime(seconds === null ? null : agedUptime(seconds, seenAt, now)),
    () => formatUptime(seconds),
  );
}
