import type { CommandRunner, DomainInfo } from "../toolstacks/types";
import { hostArgv } from "../toolstacks/linux/host-commands";
import { checkStorage, type DiskPlan } from "./storage";
import type { HostView } from "../inventory/types";
import { stateWords } from "../format";
import { driverOf } from "../toolstacks";
import { busySentence, type HoldingJob } from "../jobs/busy";
import {
  memoryRoom,
  notInMaintenance,
  otherMachine,
  sameCpu,
  sameNetwork,
  sameToolstack,
  type RuleVerdict,
} from "./rules";

// Pre-flight checks for a live migration: each ok / warn / fail with a reason a person understands.
// A fail blocks the migration; a warn needs a confirmation. The guide's rules come first.

export type CheckStatus = "ok" | "warn" | "fail";
export interface Check {
  id: string;
  label: string;
  status: CheckStatus;
  reason: string;
  /** the job the check is about (another job already working on the domain): the list links to it */
  jobId?: string;
}

export interface MigrationCheckInput {
  domain: DomainInfo;
  source: HostView;
  target: HostView;
  sourceRunner: CommandRunner;
  targetRunner: CommandRunner;
  /** the job already working on the domain, if any */
  activeJob: HoldingJob | null;
}

/** The address the source will hand to `xl migrate`: the target's first global address, else its name. */
export function targetAddressOf(target: HostView): string {
  return target.facts?.addresses[0] ?? target.facts?.hostname ?? target.address;
}

/** The checks, and each disk's way to the target (none where the target was not read) */
export async function checkMigration(i: MigrationCheckInput): Promise<{ checks: Check[]; disks: DiskPlan[] }> {
  const { domain, source, target } = i;
  const checks: Check[] = [];
  const disks: DiskPlan[] = [];
  const add = (id: string, label: string, status: CheckStatus, reason: string, jobId?: string) =>
    checks.push({ id, label, status, reason, ...(jobId ? { jobId } : {}) });

  const differs = otherMachine(domain.name, source, target);
  add("target-differs", "Another host", differs.status, differs.reason);
  const open = notInMaintenance(target);
  add("maintenance", "Target not in maintenance", open.status, open.reason);
  add(
    "no-other-job",
    "No other job on the domain",
    i.activeJob ? "fail" : "ok",
    i.activeJob ? busySentence(i.activeJob) : "Nothing else is moving this domain.",
    i.activeJob?.id,
  );
  const movable = domain.state === "running" || domain.state === "idle";
  add(
    "domain-running",
    "Domain is running",
    movable ? "ok" : "fail",
    movable
      ? `${domain.name} is ${stateWords[domain.state]}.`
      : `${domain.name} is ${stateWords[domain.state]}; only a running domain can be migrated live.`,
  );
  if (target.status !== "online" || !target.facts || !source.facts) {
    add(
      "target-online",
      "Target answers",
      "fail",
      target.status !== "online"
        ? `${target.name} is ${target.status}: ${target.reason ?? "no answer yet"}.`
        : "The target has not been read yet.",
    );
    return { checks, disks };
  }
  const sf = source.facts;
  const tf = target.facts;
  const rule = (id: string, label: string, v: RuleVerdict) => add(id, label, v.status, v.reason);
  rule("toolstack", "Same toolstack", sameToolstack(source.name, sf.toolstack, target.name, tf.toolstack));
  rule("arch", "Same architecture and virtualization extensions", sameCpu(source.name, sf, target.name, tf));
  rule(
    "memory",
    "Enough free memory on the target",
    memoryRoom(domain.name, domain.memoryMiB, target.name, tf.freeMemoryMiB),
  );
  const storage = await checkStorage(i);
  checks.push(storage.check);
  disks.push(...storage.disks);
  const driver = driverOf(source.toolstack);
  rule(
    "network",
    "Same network segment",
    sameNetwork(
      domain,
      { name: source.name, facts: sf },
      { name: target.name, facts: tf },
      driver.capabilities.migratesOverSsh ? "SSH (TCP 22)" : "the relocation port (below)",
    ),
  );
  // the stream goes over SSH (xl, virsh) or over the toolstack's own path, which its driver checks (xend's relocation)
  if (driver.capabilities.migratesOverSsh || !driver.preflight) checks.push(await checkReachable(i));
  if (driver.preflight && sf.toolstack === tf.toolstack)
    checks.push(
      ...(await driver.preflight({
        source: i.sourceRunner,
        target: i.targetRunner,
        sourceName: source.name,
        targetName: target.name,
        targetAddress: targetAddressOf(target),
        sourceAddresses: sf.addresses,
        sourceNames: [...new Set([source.name, sf.hostname])],
      })),
    );
  return { checks, disks };
}

/** xl migrate runs `ssh <target> xl migrate-receive` from the source: the source must reach the target. */
async function checkReachable(i: MigrationCheckInput): Promise<Check> {
  const label = "Target reachable from the source over SSH";
  const address = targetAddressOf(i.target);
  const r = await i.sourceRunner
    .exec([...hostArgv.sshTo(address), "true"], { timeoutMs: 10_000 })
    .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  return r.code === 0
    ? { id: "reachable", label, status: "ok", reason: `${i.source.name} reaches ${address} with its own SSH key.` }
    : {
        id: "reachable",
        label,
        status: "fail",
        reason: `${i.source.name} cannot ssh to ${address}: ${r.stderr.trim().split("\n")[0] || `exit ${r.code}`}.`,
      };
}
