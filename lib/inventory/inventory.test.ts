import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inventory } from "./inventory";
import { SshPool } from "../ssh/pool";
import { SshConnection } from "../ssh/connection";
import { execBatch } from "../toolstacks/batch";
import { parseXlUptime } from "../toolstacks/xl/parse-uptime";
import type { HostRecord, HostView } from "./types";
import { startTestCluster } from "../../sim/testing";

let sim: Awaited<ReturnType<typeof startTestCluster>>;
beforeAll(async () => {
  sim = await startTestCluster();
});
afterAll(async () => {
  await sim.stop();
});

function record(name: string): HostRecord {
  const h = sim.info(name);
  return {
    id: `id-${name}`,
    name,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    toolstack: "xl",
    imageDir: "/xen-saved-images",
  };
}

describe("Inventory", () => {
  it("a record changed while a refresh is under way keeps its change (maintenance turned off is not undone)", async () => {
    const inv = new Inventory(new SshPool());
    const rec = { ...record("hostC"), maintenance: { since: new Date().toISOString(), by: "ops" } };
    inv.upsert(rec);
    await inv.refreshAll();
    const refreshing = inv.refreshHost(rec.id); // under way: its SSH round trip has not come back
    inv.upsert({ ...rec, maintenance: null });
    await refreshing;
    await inv.refreshAll();
    expect(inv.get(rec.id)!.maintenance).toBeNull();
    expect(inv.get(rec.id)!.status).toBe("online");
    inv.stop();
  });

  it("a refresh asked for while one is under way reads the host after the call (a domain moved meanwhile is seen)", async () => {
    const inv = new Inventory(new SshPool());
    for (const n of ["hostB", "hostC"]) inv.upsert(record(n));
    await inv.refreshAll();
    const names = (id: string) => inv.get(id)!.domains.map((d) => d.name);
    expect(names("id-hostB")).toContain("debian_etch_domU");
    const early = inv.refreshHost("id-hostB"); // under way: it may read hostB before the move below
    const b = sim.world.host("hostB");
    const [d] = b.domains.splice(
      b.domains.findIndex((x) => x.name === "debian_etch_domU"),
      1,
    );
    sim.world.host("hostC").domains.push(d);
    try {
      const [late, again] = await Promise.all([inv.refreshHost("id-hostB"), inv.refreshHost("id-hostB")]);
      expect(late).toBe(again); // callers that came meanwhile share the one refresh that follows
      expect(late.domains.map((x) => x.name)).not.toContain("debian_etch_domU");
      await early;
      expect(names("id-hostB")).not.toContain("debian_etch_domU");
    } finally {
      const c = sim.world.host("hostC");
      b.domains.push(...c.domains.splice(c.domains.indexOf(d), 1));
      inv.stop();
    }
  });

  it("refreshes every host in parallel and shows the guide's scenario", async () => {
    const inv = new Inventory(new SshPool());
    for (const n of ["hostA", "hostB", "hostC"]) inv.upsert(record(n));
    expect(inv.lastRefresh()).toBeNull();
    const { ms } = await inv.refreshAll();
    // what the pages render as sent ("last refresh N ms"): the refresh that just ended
    expect(inv.lastRefresh()).toEqual({ at: expect.any(String), ms });
    expect(Date.now() - Date.parse(inv.lastRefresh()!.at)).toBeLessThan(60_000);
    const [a, b, c] = inv.snapshot();
    expect([a.status, b.status, c.status]).toEqual(["online", "online", "online"]);
    expect(b.domains.filter((d) => d.id !== 0).map((d) => [d.name, d.memoryMiB, d.vcpus, d.state])).toEqual([
      ["ubuntu_fuwa_nfs_domU", 256, 1, "idle"],
      ["debian_etch_domU", 512, 2, "idle"],
    ]);
    expect(b.domains.every((d) => d.uuid)).toBe(true);
    expect(b.facts).toMatchObject({
      arch: "x86_64",
      virtExtensions: ["vmx"],
      hypervisorVersion: "4.17.3",
      freeMemoryMiB: 6400,
    });
    expect(a.domains.map((d) => d.name)).toEqual(["Domain-0"]);
    expect(b.facts!.imageDir).toEqual({
      path: "/xen-saved-images",
      state: "readable-by-others",
      mode: "755",
      owner: "root",
    });
    expect(c.facts!.imageDir?.state).toBe("private");
    inv.stop();
  });

  it("emits a delta when a domain appears, and turns an unreachable host back online by itself", async () => {
    const inv = new Inventory(new SshPool(), 50);
    inv.upsert(record("hostC"));
    const seen: HostView[] = [];
    inv.on("host", (v) => seen.push(v));
    inv.start();
    const waitFor = (pred: (v: HostView) => boolean) =>
      new Promise<HostView>((resolve) => {
        const check = (v: HostView) => {
          if (pred(v)) {
            inv.off("host", check);
            resolve(v);
          }
        };
        inv.on("host", check);
      });

    sim.world.addDomain("hostC", { name: "fresh_domU", memoryMiB: 128, vcpus: 1 });
    const withFresh = await waitFor((v) => v.domains.some((d) => d.name === "fresh_domU"));
    expect(withFresh.status).toBe("online");

    await sim.cluster.server("hostC").stop();
    const down = await waitFor((v) => v.status === "unreachable");
    // the words depend on what was under way when sshd died: a new connection refused, or a channel that never opened
    expect(down.reason).toMatch(/refused|dropped|closed|no response from server/i);
    expect(down.stale).toBe(true);
    expect(down.domains.some((d) => d.name === "fresh_domU")).toBe(true);

    await sim.cluster.server("hostC").start();
    const back = await waitFor((v) => v.status === "online");
    expect(back.stale).toBe(false);
    expect(seen.length).toBeGreaterThan(2);
    inv.stop();
  });

  it("says whether a host's view changed in more than its clocks (the pages are sent only those that did)", async () => {
    const inv = new Inventory(new SshPool());
    const seen: [HostView, boolean][] = [];
    inv.on("host", (v, changed) => seen.push([v, changed]));
    inv.upsert(record("hostB"));
    await inv.refreshAll();
    const online = seen.findIndex(([v]) => v.status === "online");
    expect(seen.slice(0, online + 1).map(([, changed]) => changed)).toEqual(seen.slice(0, online + 1).map(() => true));
    // a domain's CPU counts on (as a busy guest's does between two refreshes), over more refreshes than one full one
    // (every 12th re-reads each domain's configuration and uptime)
    const busy = sim.world.host("hostB").domains.find((d) => d.name === "debian_etch_domU")!;
    for (let i = 0; i < 13; i++) {
      busy.cpuSecondsBase += 5;
      await inv.refreshAll();
    }
    const later = seen.slice(online + 1);
    expect(later.length).toBeGreaterThanOrEqual(13);
    expect(later.map(([, changed]) => changed)).toEqual(later.map(() => false));
    // the clocks did move: the host seen later, its domains' CPU seconds counted on
    const [first, last] = [seen[online][0], seen.at(-1)![0]];
    expect(last.lastSeenAt! > first.lastSeenAt!).toBe(true);
    expect(last.domains.map((d) => d.cpuSeconds)).not.toEqual(first.domains.map((d) => d.cpuSeconds));
    const added = sim.world.addDomain("hostB", { name: "clock_domU", memoryMiB: 64, vcpus: 1 });
    try {
      await inv.refreshAll();
      expect(seen.at(-1)![1]).toBe(true);
      expect(seen.at(-1)![0].domains.map((d) => d.name)).toContain("clock_domU");
    } finally {
      const b = sim.world.host("hostB");
      b.domains.splice(b.domains.indexOf(added), 1);
      busy.cpuSecondsBase -= 65;
      inv.stop();
    }
  });

  it("reads a domain's configuration (xl list -l) on the first refresh, when a domain appears, and on full refreshes only", async () => {
    const inv = new Inventory(new SshPool());
    inv.upsert(record("hostA"));
    await inv.refreshAll();
    const longRuns = () =>
      sim.world.commandLog.filter((c) => c.host === "hostA" && c.argv.join(" ") === "xl list -l").length;
    const shells = () => sim.world.commandLog.filter((c) => c.host === "hostA" && c.argv[0] === "sh").length;
    const runs = (line: string) =>
      sim.world.commandLog.filter((c) => c.host === "hostA" && c.argv.join(" ") === line).length;
    const [long0, sh0, up0, info0] = [longRuns(), shells(), runs("xl uptime"), runs("xl info")];
    const stats0 = sim.world.commandLog.filter((c) => c.host === "hostA" && c.argv[0] === "stat").length;
    const upBefore = inv.get("id-hostA")!.domains.map((d) => d.uptimeSeconds!);
    for (let i = 0; i < 3; i++) await inv.refreshAll();
    expect(longRuns()).toBe(long0); // steady: not re-read
    // each refresh is one script in the host's long-lived shell, started on the first refresh: no new sh, no channel
    expect(sh0).toBeGreaterThan(0);
    expect(shells() - sh0).toBe(0);
    // a steady refresh asks xl info and xl list only: uptimes are carried forward, the image directory kept
    expect(runs("xl info") - info0).toBe(3);
    expect(runs("xl uptime")).toBe(up0);
    expect(sim.world.commandLog.filter((c) => c.host === "hostA" && c.argv[0] === "stat").length).toBe(stats0);
    expect(inv.get("id-hostA")!.facts!.imageDir!.path).toBe("/xen-saved-images");
    const probe = new SshConnection("hostA", sim.target("hostA"));
    const truth = parseXlUptime((await execBatch(probe, [["xl", "uptime"]]))[0].stdout);
    probe.close();
    const up1 = runs("xl uptime");
    inv.get("id-hostA")!.domains.forEach((d, i) => {
      expect(d.uptimeSeconds!).toBeGreaterThan(upBefore[i]);
      expect(Math.abs(d.uptimeSeconds! - truth.get(d.id)!)).toBeLessThan(2); // xl prints whole seconds
    });
    const dom0 = inv.get("id-hostA")!.domains[0];
    expect(dom0.uuid).toBe("00000000-0000-0000-0000-000000000000");

    sim.world.addDomain("hostA", {
      name: "newcomer",
      memoryMiB: 128,
      vcpus: 1,
      disks: [{ target: "/xen-storage/newcomer.img", vdev: "xvda" }],
    });
    await inv.refreshAll();
    expect(longRuns()).toBe(long0 + 1);
    const fresh = inv.get("id-hostA")!.domains.find((d) => d.name === "newcomer")!;
    expect(fresh.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.disks).toEqual([{ path: "/xen-storage/newcomer.img", vdev: "xvda" }]);
    expect(fresh.uptimeSeconds).toEqual(expect.any(Number)); // read with its configuration
    expect(runs("xl uptime")).toBe(up1 + 1);
    await inv.refreshAll();
    expect(longRuns()).toBe(long0 + 1); // known now: kept
    expect(inv.get("id-hostA")!.domains.find((d) => d.name === "newcomer")).toEqual({
      ...fresh,
      uptimeSeconds: expect.any(Number),
      cpuSeconds: expect.any(Number),
    });

    for (let i = 0; i < 12; i++) await inv.refreshAll(); // the twelfth refresh of a host re-reads everything
    expect(longRuns()).toBe(long0 + 2);
    sim.world.host("hostA").domains = sim.world.host("hostA").domains.filter((d) => d.name !== "newcomer");
    inv.stop();
  });
});

describe("Inventory of a host installed in another language", () => {
  it("reads a German libvirt host as an English one: every command runs with LC_ALL=C", async () => {
    const { createDemoWorld } = await import("../../sim/default-world");
    const world = createDemoWorld();
    world.host("kvmA").locale = "de_DE.UTF-8";
    const german = await startTestCluster(world);
    try {
      const inv = new Inventory(new SshPool());
      inv.upsert(german.record("kvmA"));
      await inv.refreshAll();
      const v = inv.get("id-kvmA")!;
      expect(v.status).toBe("online");
      const web = v.domains.find((d) => d.name === "web-kvm")!;
      expect(web.state).toBe("running");
      expect(Number.isFinite(web.cpuSeconds) && web.cpuSeconds > 0).toBe(true);
      // and the commands really went out in the C locale (the host would have answered in German)
      // (a running domain is read by its id)
      const webId = world.host("kvmA").domains.find((d) => d.name === "web-kvm")!.domid;
      expect(world.commandLog.some((c) => c.host === "kvmA" && c.argv.join(" ") === `virsh dominfo ${webId}`)).toBe(
        true,
      );
      inv.stop();
    } finally {
      await german.stop();
    }
  });
});
