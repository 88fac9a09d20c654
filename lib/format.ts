import type { DomainState } from "./toolstacks/types";

// Formatting shared by server and client components. Pure, no server imports.

export function formatMiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(mib % 1024 === 0 ? 0 : 1)} GiB` : `${mib} MiB`;
}

export function formatUptime(seconds: number | null): string {
  if (seconds === null) return "—";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${Math.floor(seconds % 60)}s`;
}

export const stateWords: Record<DomainState, string> = {
  running: "running",
  idle: "running (idle)",
  paused: "paused",
  suspended: "suspended",
  shutdown: "shut down",
  crashed: "crashed",
  dying: "dying",
  "migrating-in": "arriving (migration)",
  "migrating-out": "leaving (migration)",
  unknown: "unknown",
};

export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** "1 domain", "2 domains", "0 hosts"; "1 pass", "3 passes" with the plural given. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** "a virsh (KVM) image", "an xl (Xen) image": the article as the word is said (x as "ex"). */
export function article(word: string): string {
  return /^[aeiox]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** "Move by save/restore": the first letter up, the rest as written (CSS capitalize would make "Move By Save"). */
export function sentenceCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * How many domains the cluster runs: each counted once, though a migrating one is listed by both hosts for a
 * while (xl's --migratedaway/--incoming, libvirt's paused incoming copy). Domain-0 and shut-off definitions are not.
 */
export function countDomains(hosts: { domains: { id: number; name: string }[] }[]): number {
  return new Set(hosts.flatMap((h) => h.domains.filter((d) => d.id > 0).map((d) => d.name))).size;
}

/** An instant in UTC, labelled: "2026-11-30 16:00:46 UTC" (what the server renders, and the tooltip). */
export function formatUtc(iso: string): string {
  return `${iso.replace("T", " ").slice(0, 19)} UTC`;
}

/**
 * An instant in the browser's own zone, labelled with that zone, written as the UTC one is (ISO-like, 24 h, the same
 * on every page and in every locale): "2026-11-30 17:00:46 GMT+1".
 */
export function formatLocal(iso: string, timeZone?: string): string {
  const parts = zoneParts(new Date(iso), timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** A chart's clock tick in the browser's zone, 24 h: "13:39" (with seconds when `seconds`). */
export function formatClock(ms: number, seconds = false, timeZone?: string): string {
  const p = zoneParts(new Date(ms), timeZone);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

function zoneParts(d: Date, timeZone?: string): Record<string, string> {
  const parts = new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
    timeZone,
  }).formatToParts(d);
  return Object.fromEntries(parts.map((x) => [x.type, x.value]));
}
