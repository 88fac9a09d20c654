// A job takes one of its host's slots (at most maxOutgoingPerHost jobs at once on a host) on the host where its work
// happens: a restore on its target — the image's host only serves the file — and every other kind (a migration, a
// save, a move) on its source, which sends the memory.

type SlotIds = { kind: string; sourceHostId: string; targetHostId: string | null };

/** The id of the host a job's slot is claimed on (lib/jobs/queue.ts counts slots by host id, as the cluster does). */
export const slotHostId = (job: SlotIds): string =>
  job.kind === "restore" && job.targetHostId ? job.targetHostId : job.sourceHostId;
