// Which hosts of the Cluster page come whole with the page and render at once — the server and the browser decide
// alike, so the page hydrates what the server rendered. The rest come as outlines (lib/inventory/outline.ts) and
// then whole with the live stream's snapshot: a cluster of 1,000 hosts × 20 domains is 7.6 MiB of views, which the
// browser parses far faster as one message than as the page's inline data.

/** Host columns rendered from the first render, on the server too (a screenful at any width)… */
export const EAGER_HOSTS = 24;
/** …while the domains before them are fewer than this (a screen holds at most about 10 cards a column) */
export const EAGER_DOMAINS = 240;
/**
 * …and of each, the first cards only until React has taken the page over: the server renders them and the browser
 * hydrates them, the rest follow in a transition (a screen holds at most about 10 cards a column; 12 columns of 20
 * were 240 cards to hydrate before anything answered, most of them below the fold)
 */
export const EAGER_CARDS = 10;
/** A cluster this small comes whole and renders every column wherever it is (find-in-page sees every card). */
export const EVERYTHING_DOMAINS = 300;

/** How many of `hosts` (in the page's order) are on the first screen; all of them in a small cluster. */
export function firstScreenful(hosts: { domains: unknown[] }[]): number {
  let domains = 0;
  for (const h of hosts) domains += h.domains.length;
  if (domains <= EVERYTHING_DOMAINS) return hosts.length;
  let before = 0;
  let n = 0;
  while (n < hosts.length && n < EAGER_HOSTS && before < EAGER_DOMAINS) before += hosts[n++].domains.length;
  return n;
}
