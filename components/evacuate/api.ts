"use client";
import { api } from "../api";
import type { Plan } from "@/lib/evacuate/plan";
import type { EvacuationView } from "@/lib/evacuate/service";
import type { HostView } from "@/lib/inventory/types";

// The browser's calls for maintenance, evacuation plans and placement settings.

export interface PlacementSettings {
  domains: { domain: string; priority: number; maxDowntimeMs: number | null }[];
  rules: { id: string; name: string; kind: string; domains: string[] }[];
  defaults: { priority: number; maxDowntimeMs: number };
}

export const setMaintenance = (hostId: string, on: boolean) =>
  api<{ host: HostView }>("POST", `/api/hosts/${hostId}/maintenance`, { on });
export const planFor = (hostId: string, kind: "evacuate" | "return", cap?: number) =>
  api<{ plan: Plan }>("POST", "/api/evacuations/plan", { hostId, kind, ...(cap !== undefined ? { cap } : {}) });
export const runPlan = (hostId: string, kind: "evacuate" | "return", plan: Plan, cap?: number) =>
  api<{ evacuation: EvacuationView }>("POST", "/api/evacuations", {
    hostId,
    kind,
    ...(cap !== undefined ? { cap } : {}),
    expect: plan.moves.map((m) => ({ domain: m.domain, target: m.target })),
  });
export const listEvacuations = (hostId: string) =>
  api<{ evacuations: EvacuationView[] }>("GET", `/api/evacuations?hostId=${encodeURIComponent(hostId)}`);
export const getEvacuation = (id: string) =>
  api<{ evacuation: EvacuationView }>("GET", `/api/evacuations/${encodeURIComponent(id)}`);
export interface GroupSelection {
  domains: { domain: string; hostId: string }[];
  /** absent: anywhere that fits */
  targetId?: string;
}
export const planGroup = (sel: GroupSelection) =>
  api<{ plan: Plan; targetName: string }>("POST", "/api/group-moves/plan", sel);
export const runGroup = (sel: GroupSelection, plan: Plan) =>
  api<{ evacuation: EvacuationView }>("POST", "/api/group-moves", {
    ...sel,
    expect: plan.moves.map((m) => ({ domain: m.domain, target: m.target })),
  });
export const stopEvacuation = (id: string, cancelRunning: boolean) =>
  api<{ evacuation: EvacuationView }>("POST", `/api/evacuations/${id}/stop`, { cancelRunning });
export const saveDomainSetting = (domain: string, priority: number, maxDowntimeMs: number | null) =>
  api<PlacementSettings>("PUT", "/api/placement/domains", { domain, priority, maxDowntimeMs });
export const addRule = (name: string, kind: string, domains: string[]) =>
  api<PlacementSettings>("POST", "/api/placement/rules", { name, kind, domains });
export const removeRule = (id: string) => api<PlacementSettings>("DELETE", `/api/placement/rules/${id}`);
