import type { Db } from "../db/client";
import type { BalanceSettings } from "./schema";

// How the operators want the cluster balanced: one row, read by every recommendation that does not say otherwise and
// by the automatic mode. The defaults (spread, 10 % headroom, 2 points, 60 min guard, automatic off) until saved.

export const DEFAULT_BALANCE: BalanceSettings = {
  mode: "spread",
  headroomPct: 10,
  thresholdPts: 2,
  guardMinutes: 60,
  auto: false,
  everyMinutes: 15,
};

export interface SavedBalanceSettings extends BalanceSettings {
  updatedBy: string | null;
  updatedAt: string | null;
}

export class BalanceSettingsStore {
  constructor(private readonly db: Db) {}

  async get(): Promise<SavedBalanceSettings> {
    const row = await this.db.balanceSetting.findUnique({ where: { id: "cluster" } });
    if (!row) return { ...DEFAULT_BALANCE, updatedBy: null, updatedAt: null };
    return {
      mode: row.mode === "pack" ? "pack" : "spread",
      headroomPct: row.headroomPct,
      thresholdPts: row.thresholdPts,
      guardMinutes: row.guardMinutes,
      auto: row.auto,
      everyMinutes: row.everyMinutes,
      updatedBy: row.updatedBy,
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async set(s: BalanceSettings, by: string): Promise<SavedBalanceSettings> {
    await this.db.balanceSetting.upsert({
      where: { id: "cluster" },
      create: { id: "cluster", ...s, updatedBy: by },
      update: { ...s, updatedBy: by },
    });
    return this.get();
  }
}
