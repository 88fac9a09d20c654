import { describe, expect, it } from "vitest";
import { onlyClocksMoved } from "./clocks";
import type { HostView } from "./types";
import type { DomainInfo } from "../toolstacks/types";

const domain = (over: Partial<DomainInfo> = {}): DomainInfo => ({
  name: "web1",
  id: 3,
  uuid: "5b7d9f4e-0c1a-4d2b-9e8f-1a2b3c4d5e6f",
  memoryMiB: 512,
  vcpus: 2,
  state: "running",
  stateLetters: "r-----",
  cpuSeconds: 10.5,
  uptimeSeconds: 600,
  disks: [{ path: "/srv/web1.img", vdev: "xvda" }],
  ...over,
});

const view = (over: Partial<HostView> = {}): HostView => ({
  id: "h1",
  name: "hostB",
  address: "127.0.0.1",
  port: 22,
  user: "root",
  authMethod: "key",
  keyPath: "/keys/id",
  fingerprint: "SHA256:x",
  toolstack: "xl",
  imageDir: "/xen-saved-images",
  status: "online",
  reason: null,
  errorCode: null,
  facts: null,
  domains: [domain()],
  stale: false,
  lastSeenAt: "2026-12-07T12:00:00.000Z",
  refreshMs: 40,
  capabilities: {} as HostView["capabilities"],
  toolstackLabel: "xl",
  ...over,
});

describe("onlyClocksMoved", () => {
  it("is true when only the time seen, the refresh's length, CPU seconds and uptimes moved", () => {
    const later = view({
      lastSeenAt: "2026-12-07T12:00:05.000Z",
      refreshMs: 55,
      domains: [domain({ cpuSeconds: 11.2, uptimeSeconds: 605 })],
    });
    expect(onlyClocksMoved(view(), later)).toBe(true);
  });

  it("is false when anything a page shows or acts on changed", () => {
    const changes: Partial<HostView>[] = [
      { status: "unreachable" },
      { stale: true },
      { domains: [domain({ state: "paused" })] },
      { domains: [domain({ memoryMiB: 1024 })] },
      { domains: [domain({ id: 4 })] },
      { domains: [domain(), domain({ name: "web2", id: 5 })] },
      { domains: [domain({ disks: [] })] },
      // an uptime that becomes known (or unknown) is news, not a clock moving
      { domains: [domain({ uptimeSeconds: null })] },
      { maintenance: { since: "2026-12-07T12:00:01.000Z", by: "ops" } },
    ];
    for (const change of changes) expect(onlyClocksMoved(view(), view(change)), JSON.stringify(change)).toBe(false);
  });
});
