"use client";
import { api } from "../api";
import type { BalanceView } from "@/lib/balance/service";
import type { ImbalancePoint, PressureNow } from "@/lib/balance/history";
import type { SavedBalanceSettings } from "@/lib/balance/settings";
import type { BalanceSettings } from "@/lib/balance/schema";
import type { EvacuationView } from "@/lib/evacuate/service";

// The browser's calls for balancing: the hosts' pressure, a recommendation (a dry run), applying it, the settings.

export interface BalanceAsk {
  mode: "spread" | "pack";
  headroomPct: number;
  thresholdPts: number;
}

export const getBalance = () =>
  api<{ hosts: PressureNow[]; history: ImbalancePoint[]; settings: SavedBalanceSettings }>("GET", "/api/balance");
export const recommendBalance = (ask: BalanceAsk) => api<BalanceView>("POST", "/api/balance/plan", ask);
export const applyBalance = (ask: BalanceAsk, view: BalanceView, only?: string[]) =>
  api<{ evacuation: EvacuationView }>("POST", "/api/balance", {
    ...ask,
    expect: view.plan.moves.map((m) => ({ domain: m.domain, target: m.target })),
    ...(only ? { only } : {}),
  });
export const saveBalanceSettings = (s: BalanceSettings) =>
  api<{ settings: SavedBalanceSettings }>("PUT", "/api/balance/settings", s);
