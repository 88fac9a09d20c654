import type { ErrorCode } from "../errors";
import type { JobEventInput, JobPhase } from "./events";
import type { CommandRunner, ToolstackName } from "./types";
import { locate as locateXl, migrateXl } from "./xl/migrate";
import { locateVirsh, migrateVirsh } from "./virsh/migrate";

// One entry point per toolstack for a live migration and for "where is the domain now?".

/** What the operator may tune; only libvirt/QEMU honours these (xl has no such knobs over SSH). */
export interface MigrationOptions {
  bandwidthMiBps?: number;
  maxDowntimeMs?: number;
  autoConverge?: boolean;
  postcopy?: boolean;
  p2p?: boolean;
}

export interface MigrationContext {
  source: CommandRunner;
  target: CommandRunner;
  sourceName: string;
  targetName: string;
  domain: string;
  /** the target's address as the source reaches it */
  targetAddress: string;
  pollMs: number;
  cancel: AbortSignal;
  options?: MigrationOptions;
  emit(e: JobEventInput): void;
  phase(): JobPhase;
}

export interface MigrationOutcome {
  status: "succeeded" | "failed" | "cancelled" | "interrupted";
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  location: { host: string | null; note: string };
}

export type LocateContext = Pick<MigrationContext, "source" | "target" | "sourceName" | "targetName" | "domain">;

export function migrate(toolstack: ToolstackName, ctx: MigrationContext): Promise<MigrationOutcome> {
  return toolstack === "virsh" ? migrateVirsh(ctx) : migrateXl(ctx);
}

export function locate(toolstack: ToolstackName, ctx: LocateContext, patienceMs: number): Promise<{ host: string | null; note: string }> {
  return toolstack === "virsh" ? locateVirsh(ctx, patienceMs) : locateXl(ctx, patienceMs);
}
