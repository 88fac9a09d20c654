// The server's clock as this browser reckons it. Times the server sends (a host's lastSeenAt) are the server's; a
// browser whose clock is off by minutes would age them wrongly. Each inventory refresh says when it ended, and the
// difference to this browser's clock (plus the message's way here, milliseconds) is the skew.

let skewMs = 0;

/** A time the server stamped just now (the end of an inventory refresh, as it arrives). */
export function heardServerTime(iso: string): void {
  const at = Date.parse(iso);
  if (Number.isFinite(at)) skewMs = Date.now() - at;
}

/** Now, on the server's clock. */
export function serverNow(): number {
  return Date.now() - skewMs;
}
