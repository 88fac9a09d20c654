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
  identity: null as string | null,
};
const host = (id: string, over: Partial<HostView> = {}): HostView => ({
  id,
  name: id,
  address: "a",
  port: 22,
  user: "root",
  authMethod: "key",
  keyPath: "/k",
  fingerprint: `f-${id}`,
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

describe("one machine under two names", () => {
  it("fails a move onto the same host key or the same identity, whatever the names", () => {
    const twin = host("c", { fingerprint: "f-b" }); // b's host key
    expect(quickMigrationVerdict(dom, host("b"), twin).reason).toContain(
      "b and c are one machine (the same host key f-b)",
    );
    const a = host("b", { fingerprint: "f1", facts: { ...facts, identity: "libvirt-host:1234" } });
    const b = host("c", { fingerprint: "f2", facts: { ...facts, identity: "libvirt-host:1234" } });
    const same = quickMigrationVerdict(dom, a, b);
    expect(same.status).toBe("fail");
    // different host keys, one identity: one machine reached two ways, or OEM firmware's shared UUID — both said
    expect(same.reason).toContain("b and c both say they are libvirt-host:1234, though their SSH host keys differ");
    expect(same.reason).toContain("host_uuid");
    expect(quickMigrationVerdict(dom, a, { ...b, facts: { ...facts, identity: "libvirt-host:5678" } }).status).toBe(
      "ok",
    );
  });
});

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

  it("fails a name its source lists twice, at once: the browser cannot say which of the two would move", () => {
    const rows = [
      { ...dom, id: 3, state: "running" },
      { ...dom, id: -1, state: "shutdown" },
    ] as DomainInfo[];
    const v = quickMigrationVerdict(dom, host("b", { domains: rows }), host("c"));
    expect(v).toEqual({
      status: "fail",
      reason: expect.stringContaining("b lists web01 2 times (running, id 3; shut down): one name for 2 domains."),
    });
  });
});
