import type { HostView } from "./types";

/**
 * A host as the Cluster page first gets it when it is not on the first screen: enough to hold its place (name,
 * status, how many guests) until the live stream brings the whole view. The first screenful comes whole.
 */
export interface HostOutline {
  id: string;
  name: string;
  status: HostView["status"];
  toolstackLabel: string;
  /** its running guest domains (Domain-0 and domains only defined left out) */
  guests: number;
}

export const outlineOf = (v: HostView): HostOutline => ({
  id: v.id,
  name: v.name,
  status: v.status,
  toolstackLabel: v.toolstackLabel,
  guests: v.domains.filter((d) => d.id > 0).length,
});
