import { describe, expect, it } from "vitest";
import { quickMigrationVerdict } from "./quick";
import type { HostView } from "../inventory/types";
import { drivers } from "../toolstacks";
import type { DomainInfo } from "../toolstacks/types";

const facts = {
  hostname: "h",
  toolstack: "xl" as const,
  hypervisor: "Xen",
  hypervisorVersion: "4.17.3",
  arch: "x86_64",
  virtExtensions: ["vmx"],
  virtCaps: [],
  nrCpus: 4,
  totalMemoryMiB: 8192,
  freeMemoryMiB: 4096,
  imageDir: null,
  addresses: [],
};
const host = (id: string, over: Partial<HostView> = {}): HostView => ({
  id,
  name: id,
  address: "a",
  port: 22,
  user: "root",
  authMethod: "key",
  keyPath: "/k",
  fingerprint: "f",
  toolstack: "xl",
  imageDir: "/x",
  status: "online",
  reason: null,
  errorCode: null,
  facts,
  domains: [],
  stale: false,
  lastSeenAt: null,
  refreshMs: null,
  capabilities: drivers.xl.capabilities,
  toolstackLabel: drivers.xl.label,
  ...over,
});
const dom = { name: "web01", memoryMiB: 512 } as DomainInfo;

describe("quickMigrationVerdict", () => {
  it("passes a matching host with room, and fails the rest with the reason", () => {
    expect(quickMigrationVerdict(dom, host("b"), host("c")).status).toBe("ok");
    expect(quickMigrationVerdict(dom, host("b"), host("b")).reason).toContain("already runs on b");
    expect(quickMigrationVerdict(dom, host("b"), host("c", { status: "unreachable", reason: "refused" })).reason).toBe(
      "c is unreachable: refused.",
    );
    expect(
      quickMigrationVerdict(dom, host("b"), host("c", { facts: { ...facts, freeMemoryMiB: 100 } })).reason,
    ).toContain("needs 512 MiB; c has 100 MiB free");
    expect(
      quickMigrationVerdict(dom, host("b"), host("c", { facts: { ...facts, virtExtensions: ["svm"] } })).status,
    ).toBe("fail");
  });
});
