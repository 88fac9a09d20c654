import type { JobKindRunner } from "./context";
import { migrateKind } from "./migrate";
import { saveKind } from "./save";
import { restoreKind } from "./restore";
import { moveKind } from "./move";

// Every job kind Ferry runs, by the name its rows carry. A new kind is a file in this folder and a line here; the
// compiler asks for its checks, its run and its recovery (JobKindRunner, context.ts).

const KINDS = { migrate: migrateKind, save: saveKind, restore: restoreKind, move: moveKind } as const;
export type JobKindName = keyof typeof KINDS;

export function kindOf(name: string): JobKindRunner {
  if (!(name in KINDS)) throw new Error(`no job kind "${name}"`);
  return KINDS[name as JobKindName] as JobKindRunner;
}
