import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostService } from "./service";
import { addHostSchema } from "./schema";
import { Inventory } from "../inventory/inventory";
import { SshPool } from "../ssh/pool";
import type { Db } from "../db/client";
import { closeTestDatabase, openTestDatabase } from "../db/testing";
import { AppError } from "../errors";
import { startTestCluster } from "../../sim/testing";

let sim: Awaited<ReturnType<typeof startTestCluster>>;
let db: Db;
let dir: string;
let service: HostService;
let inventory: Inventory;

beforeAll(async () => {
  sim = await startTestCluster();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-db-"));
  db = await openTestDatabase(dir);
  inventory = new Inventory(new SshPool());
  service = new HostService(db, inventory);
});
afterAll(async () => {
  inventory.stop();
  await closeTestDatabase(db);
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (name: string, over: Record<string, unknown> = {}) => {
  const h = sim.info(name);
  return addHostSchema.parse({
    name,
    address: h.address,
    port: h.port,
    user: h.user,
    authMethod: "key",
    keyPath: h.keyPath,
    fingerprint: h.fingerprint,
    ...over,
  });
};

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return "no error";
}

describe("HostService", () => {
  it("adds a host only after it answered with the pinned key", async () => {
    const view = await service.add(input("hostB"));
    expect(view.name).toBe("hostB");
    expect(await db.host.count()).toBe(1);
    const row = await db.host.findFirstOrThrow();
    expect(JSON.parse(row.factsJson!)).toMatchObject({ arch: "x86_64", virtExtensions: ["vmx"] });
  });

  it("refuses a duplicate name or address and stores nothing", async () => {
    expect(await codeOf(service.add(input("hostB")))).toBe("conflict");
    expect(await codeOf(service.add({ ...input("hostB"), name: "other" }))).toBe("conflict");
    expect(await db.host.count()).toBe(1);
  });

  it("refuses the same machine under another name and address: identity, not names", async () => {
    const again = service.add({ ...input("hostB"), name: "hostB-again", address: "localhost" });
    await expect(again).rejects.toMatchObject({ code: "conflict" });
    await expect(again).rejects.toThrow(/already registered as hostB: it offers the same host key/);
    expect(await db.host.count()).toBe(1);
    // what a host says it is (dom0's /etc/machine-id here) is read on the first contact
    expect((await db.host.findFirstOrThrow()).factsJson).toMatch(/"identity":"machine-id:[0-9a-f]{32}"/);
  });

  it("refuses a fingerprint the host does not have, a refused key, and an unreachable address; stores nothing", async () => {
    expect(await codeOf(service.add(input("hostC", { fingerprint: sim.info("hostA").fingerprint })))).toBe(
      "host_key_changed",
    );
    const wrongKey = path.join(sim.stateDir, "hosts", "hostA", "ssh_host_ed25519_key");
    expect(await codeOf(service.add(input("hostC", { keyPath: wrongKey })))).toBe("ssh_auth_failed");
    expect(await codeOf(service.add(input("hostC", { port: 1 })))).toBe("ssh_connection_refused");
    expect(await db.host.count()).toBe(1);
  });

  it("scans, tests and removes", async () => {
    const h = sim.info("hostA");
    expect(await service.scan({ address: h.address, port: h.port })).toMatchObject({
      fingerprint: h.fingerprint,
      knownAs: null,
      refusal: null,
    });
    const added = await service.add(input("hostA"));
    // once added, a scan says so: by its key, and a taken name too
    expect(await service.scan({ address: h.address, port: h.port, name: "other" })).toMatchObject({
      knownAs: "hostA",
      refusal: "This machine is already registered as hostA: it offers the same host key.",
    });
    // a machine not registered yet, under a taken name
    const known = new Set((await db.host.findMany()).map((x) => x.fingerprint));
    const b = ["hostB", "hostC"].map((n) => sim.info(n)).find((x) => !known.has(x.fingerprint))!;
    expect((await service.scan({ address: b.address, port: b.port, name: "hostA" })).refusal).toBe(
      "A host named hostA already exists: choose another name.",
    );
    expect((await service.test(added.id)).status).toBe("online");
    await service.remove(added.id);
    expect(inventory.get(added.id)).toBeUndefined();
    expect(await codeOf(service.remove(added.id))).toBe("not_found");
  });
});

describe("addHostSchema", () => {
  it.each([
    [{ port: 70000 }, /1 to 65535/],
    [{ port: "abc" }, /1 to 65535/],
    [{ address: "999.1.1.1" }, /IPv4 or IPv6 address or a DNS name/],
    [{ address: "host;reboot" }, /IPv4 or IPv6 address or a DNS name/],
    [{ name: "bad name!" }, /letters, digits/],
    [{ user: "-oProxyCommand=x" }, /SSH user/],
    [{ keyPath: "relative/key" }, /absolute/],
    [{ fingerprint: "MD5:aa" }, /SHA256/],
  ])("rejects %j with a message", (over, message) => {
    const base = {
      name: "h",
      address: "10.0.0.1",
      port: 22,
      user: "root",
      authMethod: "key",
      keyPath: "/k",
      fingerprint: `SHA256:${"A".repeat(43)}`,
    };
    const r = addHostSchema.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join(" ")).toMatch(message);
  });

  it("accepts IPv6, DNS names and ssh-agent auth", () => {
    const base = { name: "h", port: 22, user: "root", fingerprint: `SHA256:${"A".repeat(43)}` };
    expect(addHostSchema.safeParse({ ...base, address: "fe80::1", authMethod: "agent" }).success).toBe(true);
    expect(
      addHostSchema.safeParse({ ...base, address: "xen-01.example.org", authMethod: "key", keyPath: "/root/.ssh/id" })
        .success,
    ).toBe(true);
  });
});
