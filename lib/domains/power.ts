import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { Inventory } from "../inventory/inventory";
import { oneDomainNamed } from "../inventory/problems";
import { driverOf } from "../toolstacks";
import type { DomainState, PowerAction } from "../toolstacks/types";
import { busyError, type HoldingJob } from "../jobs/busy";
import type { JobKind } from "../jobs/types";

// Start a defined, shut-off domain; ask a running one to shut down or reboot — what moving domains around needs (a
// fault or an operator left a guest shut off; a job note says "start it"), not a lifecycle manager. Only where the
// toolstack keeps the domain defined while it is off (ToolstackDriver.power): a shut-down xl domain would leave
// every list Ferry reads. Never while a job works on the domain.

export interface PowerDeps {
  db: Db;
  inventory: Inventory;
  /** the job this process runs on a domain, if any (the lock table covers the other instances') */
  activeJobOn(domain: string): HoldingJob | null;
}

export interface PowerResult {
  host: string;
  domain: string;
  action: PowerAction;
  /** what the toolstack said ("Domain 'win-test' started") */
  said: string;
  /** the domain's state as the host lists it right after */
  state: DomainState | "gone";
  /** its id after (a started domain gets one; -1 while off) */
  id: number | null;
}

/** Whether the host's listing allows the action: a shut-off domain is listed without an id (libvirt's "-"). */
function allowed(action: PowerAction, d: { id: number; state: DomainState }): boolean {
  if (action === "start") return d.id < 0;
  return d.id > 0 && (d.state === "running" || d.state === "idle" || (action === "shutdown" && d.state === "paused"));
}

const words: Record<PowerAction, string> = { start: "start", shutdown: "shut down", reboot: "reboot" };

export class DomainPower {
  constructor(private readonly deps: PowerDeps) {}

  async act(hostId: string, domainName: string, action: PowerAction): Promise<PowerResult> {
    const { inventory, db } = this.deps;
    const host = inventory.get(hostId);
    if (!host) throw new AppError("not_found", "The host is not registered.");
    const driver = driverOf(host.toolstack);
    if (!driver.power)
      throw new AppError(
        "invalid_input",
        `${host.name} uses ${driver.label}, which keeps no definition of a domain that is off: Ferry starts, shuts down and reboots libvirt domains only.`,
      );
    const domain = oneDomainNamed(host, domainName);
    if (!domain)
      throw new AppError("domain_not_found", `${domainName} is not on ${host.name} (as of the last refresh).`);
    if (!allowed(action, domain))
      throw new AppError(
        "conflict",
        action === "start"
          ? `${domain.name} already runs on ${host.name}: only a shut-off domain can be started.`
          : `${domain.name} is not running on ${host.name}: there is nothing to ${words[action]}.`,
      );
    const held =
      this.deps.activeJobOn(domain.name) ??
      (await db.domainLock
        .findUnique({ where: { domainName: domain.name }, include: { job: true } })
        .then((l) => (l ? { ...l.job, kind: l.job.kind as JobKind } : null)));
    if (held) throw busyError(domain.name, held);
    const argv = driver.power[action](domain.name);
    const r = await inventory.connection(host).exec(argv, { timeoutMs: 60_000 });
    if (r.code !== 0) throw driver.error(argv, r);
    const after = await inventory.refreshHost(host.id).catch(() => null);
    const now = after?.domains.find((d) => d.name === domain.name && d.id !== 0);
    return {
      host: host.name,
      domain: domain.name,
      action,
      said: r.stdout.trim(),
      state: now?.state ?? "gone",
      id: now?.id ?? null,
    };
  }
}
