"use client";
import Link from "next/link";
import { useState } from "react";

/**
 * A link of the top bar, prefetched when a pointer comes over it or it takes focus — not as the page loads: six
 * pages rendered at once on the server, and read in the browser, as the Cluster page connects its live stream cost
 * it about 130 ms of its time to become usable (bench:ui at 4,000 domains). Next.js's own hover-prefetch pattern.
 */
export function NavLink(props: React.ComponentProps<typeof Link>) {
  const [wanted, setWanted] = useState(false);
  const want = () => setWanted(true);
  return <Link {...props} prefetch={wanted ? null : false} onMouseEnter={want} onFocus={want} />;
}
