"use client";
import { api } from "../api";
import type { Check } from "@/lib/checks/migration";
import type { JobSummary } from "@/lib/jobs/types";

export const checkMigration = (domain: string, sourceId: string, targetId: string) =>
  api<{ checks: Check[]; transport: string }>("POST", "/api/checks/migration", { domain, sourceId, targetId });
export const startMigration = (domain: string, sourceId: string, targetId: string, confirmWarnings: boolean) =>
  api<{ job: JobSummary }>("POST", "/api/jobs", { kind: "migrate", domain, sourceId, targetId, confirmWarnings });
export const cancelJob = (id: string) => api<{ job: JobSummary }>("POST", `/api/jobs/${encodeURIComponent(id)}/cancel`);
