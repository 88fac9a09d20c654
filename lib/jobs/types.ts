// Jobs, their phases and events: typed once, shared by the engine, the socket and the pages.

export * from "../toolstacks/events";
import {
  phaseIndex,
  phases,
  phaseWords,
  type JobEvent,
  type JobInfoPayload,
  type JobPhase,
  type JobStatus,
} from "../toolstacks/events";
import type { MigrationOptions } from "../toolstacks/types";

export const jobKinds = ["migrate", "save", "restore", "move"] as const;
export type JobKind = (typeof jobKinds)[number];
export const kindWords: Record<JobKind, string> = {
  migrate: "live migration",
  save: "save",
  restore: "restore",
  move: "move by save/restore",
};

/** The phases a kind of job goes through: save/restore are stop-and-copy and activation with a file between. */
export function phasesOf(kind: JobKind): readonly JobPhase[] {
  switch (kind) {
    case "migrate":
      return phases;
    case "save":
      return ["pre-migration", "stop-and-copy", "done"];
    case "restore":
      return ["pre-migration", "activation", "done"];
    case "move":
      return ["pre-migration", "stop-and-copy", "commitment", "activation", "done"];
  }
}

/** A phase in the words of its job's kind (a save's stop-and-copy is writing the image). */
export function phaseLabel(kind: JobKind, phase: JobPhase): string {
  if (kind !== "migrate" && kind) {
    if (phase === "stop-and-copy") return "Saving to disk";
    if (phase === "commitment") return "Copying to the target";
    if (phase === "activation") return "Restoring";
  }
  return phaseWords[phase];
}

export interface JobSummary {
  id: string;
  kind: JobKind;
  /** the evacuation (or return home) this job is one move of */
  evacuationId: string | null;
  imagePath: string | null;
  imageId: string | null;
  /** the forecast made at launch (live migrations), to compare with what happened */
  forecast: { totalMs: number; downtimeMs: number; rounds: number; verdict: string; reason: string } | null;
  domainName: string;
  /** the domain's UUID when the host reported one */
  domainUuid: string | null;
  memoryMiB: number;
  sourceName: string;
  targetName: string | null;
  status: JobStatus;
  phase: JobPhase;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  bytesSent: number;
  downtimeMs: number | null;
  downtimeBound: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  locationHost: string | null;
  locationNote: string | null;
  /** libvirt options chosen at launch (bandwidth, maximum downtime, auto-converge, post-copy) */
  options: MigrationOptions | null;
}

/** What a job page shows, built by folding events (applyJobEvent). */
export interface JobView {
  summary: JobSummary;
  lastSeq: number;
  phaseStartedAt: Partial<Record<JobPhase, number>>;
  samples: { t: number; bytes: number; throughputBps: number }[];
  log: string[];
  checks: { id: string; label: string; status: "ok" | "warn" | "fail"; reason: string }[];
  throughputBps: number;
  /** libvirt/QEMU: every domjobinfo poll, with the wall-clock time it arrived */
  jobinfo: (JobInfoPayload & { t: number })[];
  /** files copied to the target while the domain is stopped (a move's image and disks): each one's latest progress */
  copies: FileCopyView[];
}

export interface FileCopyView {
  host: string;
  path: string;
  label: string;
  copiedBytes: number;
  bytes: number;
  /** when the figure arrived */
  t: number;
}

export function initialJobView(summary: JobSummary): JobView {
  return {
    summary,
    lastSeq: 0,
    phaseStartedAt: {},
    samples: [],
    log: [],
    checks: [],
    throughputBps: 0,
    jobinfo: [],
    copies: [],
  };
}

/** The job reducer: pure, idempotent for replays (events at or below lastSeq are ignored). */
export function applyJobEvent(view: JobView, e: JobEvent): JobView {
  if (e.seq <= view.lastSeq) return view;
  const t = Date.parse(e.at);
  const next: JobView = { ...view, lastSeq: e.seq, summary: { ...view.summary } };
  // when each phase began, also when the view starts from a finished job's summary (a page opened afterwards: its
  // phase is already "done", and a move's copy phase must still show that it ran); the phase only moves forward
  if (view.phaseStartedAt[e.phase] === undefined) next.phaseStartedAt = { ...view.phaseStartedAt, [e.phase]: t };
  if (phaseIndex(e.phase) > phaseIndex(view.summary.phase)) next.summary.phase = e.phase;
  switch (e.type) {
    case "status":
      next.summary.status = e.payload.status;
      if (e.payload.status === "running" && !next.summary.startedAt) next.summary.startedAt = e.at;
      break;
    case "log":
      next.log = [...view.log, e.payload.line].slice(-500);
      break;
    case "checks":
      next.checks = e.payload.checks;
      if (e.payload.forecast) {
        const { totalMs, downtimeMs, rounds, verdict, reason } = e.payload.forecast;
        next.summary.forecast = { totalMs, downtimeMs, rounds, verdict, reason };
      }
      break;
    case "sample":
      next.summary.bytesSent = e.payload.bytesSent;
      next.throughputBps = e.payload.throughputBps;
      next.samples = [...view.samples, { t, bytes: e.payload.bytesSent, throughputBps: e.payload.throughputBps }];
      break;
    case "jobinfo":
      next.jobinfo = [...view.jobinfo, { ...e.payload, t }];
      break;
    case "file-progress": {
      const c = { ...e.payload, t };
      const at = view.copies.findIndex((x) => x.path === c.path && x.host === c.host);
      next.copies = at < 0 ? [...view.copies, c] : view.copies.map((x, k) => (k === at ? c : x));
      break;
    }
    case "downtime":
      next.summary.downtimeMs = e.payload.ms;
      next.summary.downtimeBound = e.payload.upperBound;
      break;
    case "result":
      next.summary.status = e.payload.status;
      next.summary.errorCode = e.payload.errorCode;
      next.summary.errorMessage = e.payload.errorMessage;
      next.summary.locationHost = e.payload.location.host;
      next.summary.locationNote = e.payload.location.note;
      next.summary.finishedAt = e.at;
      break;
  }
  return next;
}

/** What a person may do with a job, from its status and phase alone. */
export function jobAbilities(s: Pick<JobSummary, "status" | "phase"> & { kind?: JobKind }): {
  cancel: boolean;
  why: string | null;
} {
  if (s.status === "queued" || s.status === "checking") return { cancel: true, why: null };
  if (s.status !== "running") return { cancel: false, why: "The job has finished." };
  if (s.kind && s.kind !== "migrate")
    return { cancel: false, why: "A running save or restore cannot be interrupted safely." };
  if (phaseIndex(s.phase) >= phaseIndex("commitment"))
    return { cancel: false, why: "Past the point of no return: the target holds the domain." };
  return { cancel: true, why: null };
}
