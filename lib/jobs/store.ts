import type { Db } from "../db/client";
import {
  jobKinds,
  jobStatuses,
  phases,
  type JobEvent,
  type JobKind,
  type JobPhase,
  type JobStatus,
  type JobSummary,
} from "./types";

type JobRow = Awaited<ReturnType<Db["job"]["findMany"]>>[number];

const asStatus = (s: string): JobStatus =>
  (jobStatuses as readonly string[]).includes(s) ? (s as JobStatus) : "failed";
const asPhase = (s: string): JobPhase =>
  (phases as readonly string[]).includes(s) ? (s as JobPhase) : "pre-migration";

function parseForecast(json: string | null): JobSummary["forecast"] {
  if (!json) return null;
  try {
    const f = JSON.parse(json);
    return { totalMs: f.totalMs, downtimeMs: f.downtimeMs, rounds: f.rounds, verdict: f.verdict, reason: f.reason };
  } catch {
    return null;
  }
}

function parseOptions(json: string | null): JobSummary["options"] {
  try {
    const m = JSON.parse(json ?? "{}").migration;
    return m && typeof m === "object" ? m : null;
  } catch {
    return null;
  }
}

export function summaryOf(r: JobRow): JobSummary {
  return {
    id: r.id,
    kind: (jobKinds as readonly string[]).includes(r.kind) ? (r.kind as JobKind) : "migrate",
    evacuationId: r.evacuationId ?? null,
    domainUuid: r.domainUuid ?? null,
    imagePath: r.imagePath,
    imageId: r.imageId,
    forecast: parseForecast(r.forecastJson),
    domainName: r.domainName,
    memoryMiB: r.memoryMiB,
    sourceName: r.sourceName,
    targetName: r.targetName,
    status: asStatus(r.status),
    phase: asPhase(r.phase),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    bytesSent: Number(r.bytesSent),
    downtimeMs: r.downtimeMs,
    downtimeBound: r.downtimeBound,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    locationHost: r.locationHost,
    locationNote: r.locationNote,
    options: parseOptions(r.optionsJson),
  };
}

export async function eventsAfter(db: Db, jobId: string, afterSeq: number): Promise<JobEvent[]> {
  const rows = await db.jobEvent.findMany({ where: { jobId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" } });
  return rows.map(
    (r) =>
      ({
        jobId,
        seq: r.seq,
        at: r.at.toISOString(),
        phase: asPhase(r.phase),
        type: r.type,
        payload: JSON.parse(r.payloadJson),
      }) as JobEvent,
  );
}

export interface JobFilter {
  host?: string;
  domain?: string;
  /** exactly this domain: its name, or its UUID when the job recorded one */
  domainIs?: { name: string; uuid: string | null };
  status?: JobStatus;
  from?: Date;
  to?: Date;
}

export async function listJobs(db: Db, f: JobFilter = {}, take = 500): Promise<JobSummary[]> {
  const rows = await db.job.findMany({
    where: {
      // part of a name finds it (History's domain filter): "fuwa" finds ubuntu_fuwa_nfs_domU
      ...(f.domain ? { domainName: { contains: f.domain } } : {}),
      ...(f.domainIs
        ? {
            OR: [{ domainName: f.domainIs.name }, ...(f.domainIs.uuid ? [{ domainUuid: f.domainIs.uuid }] : [])],
          }
        : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.host ? { OR: [{ sourceName: f.host }, { targetName: f.host }] } : {}),
      ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take,
  });
  // SQLite's LIKE (under Prisma's contains) reads _ and % as wildcards, which domain names contain: it may
  // match more, never less — keep the names that really contain the text
  return rows.filter((r) => !f.domain || r.domainName.includes(f.domain)).map(summaryOf);
}
