"use client";
import { api } from "../api";
import type { Check } from "@/lib/checks/migration";
import type { JobSummary } from "@/lib/jobs/types";
import type { CheckResult, MoveCheckResult } from "@/lib/jobs/engine";
import type { MigrationOptionsInput, TuneJobInput } from "@/lib/jobs/schema";

export const checkMigration = (domain: string, sourceId: string, targetId: string, options?: MigrationOptionsInput) =>
  api<CheckResult>("POST", "/api/checks/migration", { domain, sourceId, targetId, ...(options ? { options } : {}) });
/** Jobs this browser started (its tab's session): their end is announced (components/jobs/notices.tsx). */
export function startedHere(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem("ferry.startedJobs") ?? "[]"));
  } catch {
    return new Set();
  }
}
async function started<T extends { job: JobSummary }>(p: Promise<T>): Promise<T> {
  const r = await p;
  try {
    sessionStorage.setItem("ferry.startedJobs", JSON.stringify([...startedHere(), r.job.id].slice(-100)));
  } catch {
    // no storage: no announcement for it
  }
  return r;
}

export const startMigration = (
  domain: string,
  sourceId: string,
  targetId: string,
  confirmWarnings: boolean,
  options?: MigrationOptionsInput,
) =>
  started(
    api<{ job: JobSummary }>("POST", "/api/jobs", {
      kind: "migrate",
      domain,
      sourceId,
      targetId,
      confirmWarnings,
      ...(options ? { options } : {}),
    }),
  );
export const tuneJob = (id: string, change: TuneJobInput) =>
  api<{ job: JobSummary }>("POST", `/api/jobs/${encodeURIComponent(id)}/tune`, change);
export const cancelJob = (id: string) => api<{ job: JobSummary }>("POST", `/api/jobs/${encodeURIComponent(id)}/cancel`);

export const saveDomain = (domain: string, hostId: string, dir: string) =>
  started(api<{ job: JobSummary }>("POST", "/api/jobs", { kind: "save", domain, hostId, dir }));
export const moveDomain = (domain: string, sourceId: string, targetId: string) =>
  started(
    api<{ job: JobSummary }>("POST", "/api/jobs", { kind: "move", domain, sourceId, targetId, confirmOutage: true }),
  );
export const checkSave = (domain: string, hostId: string) =>
  api<{ dirs: { dir: string; shared: boolean; checks: Check[] }[] }>("POST", "/api/checks/save", { domain, hostId });
export const checkMove = (domain: string, sourceId: string, targetId: string) =>
  api<MoveCheckResult>("POST", "/api/checks/move", { domain, sourceId, targetId });
/** `acknowledgeStale`: the operator knows the domain's disks changed since the image (sent only when true) */
export const restoreImage = (imageId: string, targetId: string, acknowledgeStale = false) =>
  started(
    api<{ job: JobSummary }>("POST", "/api/jobs", {
      kind: "restore",
      imageId,
      targetId,
      ...(acknowledgeStale ? { acknowledgeStale } : {}),
    }),
  );
export const checkRestore = (imageId: string, targetId: string, acknowledgeStale = false) =>
  api<{ checks: Check[] }>("POST", "/api/checks/restore", {
    imageId,
    targetId,
    ...(acknowledgeStale ? { acknowledgeStale } : {}),
  });
