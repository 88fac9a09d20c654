import type { Retention } from "./images/retention-service";
import type { DomainPower } from "./domains/power";
import type { ApiTokens } from "./auth/tokens";
import type { Db } from "./db/client";
import type { Inventory } from "./inventory/inventory";
import type { HostService } from "./hosts/service";
import type { AuthService } from "./auth/service";
import type { AuditLog } from "./audit/service";
import type { JobEngine } from "./jobs/engine";
import type { EvacuationService } from "./evacuate/service";
import type { Placement } from "./evacuate/placement";
import type { UsageHistory } from "./inventory/usage-history";
import type { BalanceService } from "./balance/service";
import type { BalanceSettingsStore } from "./balance/settings";

// server.ts builds the services once; Next's route handlers and pages are bundled separately from
// server.ts, so they reach the same instances through globalThis rather than by importing them.

export interface Services {
  db: Db;
  inventory: Inventory;
  hosts: HostService;
  auth: AuthService;
  audit: AuditLog;
  jobs: JobEngine;
  evacuations: EvacuationService;
  placement: Placement;
  usage: UsageHistory;
  tokens: ApiTokens;
  power: DomainPower;
  retention: Retention;
  balance: BalanceService;
  balanceSettings: BalanceSettingsStore;
}

const KEY = Symbol.for("ferry.services");
type WithServices = typeof globalThis & { [KEY]?: Services };

export function setServices(s: Services): void {
  (globalThis as WithServices)[KEY] = s;
}

export function getServices(): Services {
  const s = (globalThis as WithServices)[KEY];
  if (!s)
    throw new Error(
      "Ferry services are not running: start the app with server.ts (npm run dev / npm start / npm run demo).",
    );
  return s;
}
