import type { DomainInfo, HostFacts, ToolstackCapabilities, ToolstackName } from "../toolstacks/types";
import type { ErrorCode } from "../errors";

/** A host's reachability: string union, never booleans (coder's habit). */
export type HostStatus = "connecting" | "online" | "unreachable";

export interface HostRecord {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  authMethod: "key" | "agent";
  keyPath: string | null;
  fingerprint: string;
  toolstack: ToolstackName;
  imageDir: string;
  /** in maintenance: receives nothing (stored; survives restarts) */
  maintenance?: { since: string; by: string } | null;
}

/** What the Cluster page shows of a host; sent whole in each delta. */
export interface HostView extends HostRecord {
  status: HostStatus;
  /** why the host is unreachable, in words, and its code */
  reason: string | null;
  errorCode: ErrorCode | null;
  facts: HostFacts | null;
  domains: DomainInfo[];
  /** true when `domains` are the last ones seen before the host stopped answering */
  stale: boolean;
  lastSeenAt: string | null;
  /** how long the last refresh of this host took */
  refreshMs: number | null;
  /** what the host's toolstack can do, and its name for people: the UI reads these, never the toolstack's name */
  capabilities: ToolstackCapabilities;
  toolstackLabel: string;
}
