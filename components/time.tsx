"use client";
import { useEffect, useState } from "react";
import { formatLocal, formatUtc, timeAgo } from "@/lib/format";

// One rule for every time on every page: the browser's zone, labelled, with the exact UTC on hover. The server
// renders UTC (it cannot know the browser's zone) and the browser switches after hydration, so the first client
// render matches the server's markup (no hydration mismatch, React #418).

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export function LocalTime({ iso, testId }: { iso: string | null; testId?: string }) {
  const mounted = useMounted();
  if (!iso) return <span data-testid={testId}>never</span>;
  const utc = formatUtc(iso);
  return (
    <time dateTime={iso} title={utc} data-testid={testId}>
      {mounted ? formatLocal(iso) : utc}
    </time>
  );
}

/** "3 min ago", kept fresh; the exact instant on hover. */
export function TimeAgo({ iso, testId }: { iso: string | null; testId?: string }) {
  const mounted = useMounted();
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 15_000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return <span data-testid={testId}>never</span>;
  return (
    <time dateTime={iso} title={`${formatUtc(iso)} · ${mounted ? formatLocal(iso) : ""}`} data-testid={testId}>
      {mounted ? timeAgo(iso) : formatUtc(iso)}
    </time>
  );
}
