import type { DomainInfo } from "@/lib/toolstacks/types";

/**
 * One domain row on one host, for React keys and drag ids: its name, id and uuid, because a host may list one name
 * twice (lib/inventory/problems.ts) and the two rows must stay two — a drag of one is never shown as the other.
 */
export const domainKey = (hostId: string, d: Pick<DomainInfo, "name" | "id" | "uuid">) =>
  `${hostId}:${d.name}:${d.id}:${d.uuid ?? ""}`;
