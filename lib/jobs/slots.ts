// A job takes one of its host's slots (at most maxOutgoingPerHost jobs at once on a host) on the host where its work
// happens: a restore on its target — the image's host only serves the file — and every other kind (a migration, a
// save, a move) on its source, which sends the memory.

type SlotFields = { kind: string; sourceName: string; targetName: string | null };
type SlotIds = { kind: string; sourceHostId: string; targetHostId: string | null };

/** The name of the host a job's slot is counted on. */
export const slotHostName = (job: SlotFields): string =>
  job.kind === "restore" && job.targetName ? job.targetName : job.sourceName;

/** The id of the host a job's slot is claimed on (several instances count slots by host id). */
export const slotHostId = (job: SlotIds): string =>
  job.kind === "restore" && job.targetHostId ? job.targetHostId : job.sourceHostId;
