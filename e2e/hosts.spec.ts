import { expect, test } from "@playwright/test";
import { HostsPage } from "./pages/hosts-page";
import { ClusterPage } from "./pages/cluster-page";
import { simHosts } from "./sim-control";
import { apiAs, loginAs } from "./auth";

test.beforeEach(async ({ page }) => {
  await loginAs(page, "admin", "/hosts");
});

async function hostCount() {
  const api = await apiAs("viewer");
  const n = ((await (await api.get("/api/hosts")).json()).hosts as unknown[]).length;
  await api.dispose();
  return n;
}

test("bad input on the add-host form gets a clear message and stores nothing", async ({ page }) => {
  const hosts = new HostsPage(page);
  await hosts.open();
  const before = await hostCount();
  const sim = await simHosts();
  const c = sim.find((h) => h.name === "hostC")!;

  await hosts.fill({ name: "hostD", address: "127.0.0.1", port: 70000, keyPath: c.keyPath });
  await hosts.fetchKey();
  await expect(hosts.error()).toContainText("1 to 65535");

  await hosts.fill({ name: "hostD", address: "host;reboot", port: 22, keyPath: c.keyPath });
  await hosts.fetchKey();
  await expect(hosts.error()).toContainText("IPv4 or IPv6 address or a DNS name");

  await hosts.fill({ name: "hostD", address: "127.0.0.1", port: 1, keyPath: c.keyPath });
  await hosts.fetchKey();
  await expect(hosts.error()).toContainText("Connection refused");

  // a machine Ferry knows is said at the scan, with no "Accept" to press
  await hosts.fill({ name: "hostD", address: c.address, port: c.port, keyPath: c.keyPath });
  await hosts.fetchKey();
  await expect(page.getByTestId("known-host")).toContainText(
    "This machine is already registered as hostC: it offers the same host key.",
  );
  await expect(page.getByTestId("fingerprint-box")).toHaveCount(0);
  await expect(page.getByTestId("accept")).toHaveCount(0);

  expect(await hostCount()).toBe(before);
});

test("remove a host, add it back through first contact, accept its fingerprint, see it on the Cluster page", async ({
  page,
}) => {
  const hosts = new HostsPage(page);
  await hosts.open();
  const c = (await simHosts()).find((h) => h.name === "hostC")!;

  await hosts.row("hostC").getByTestId("host-remove").click();
  await hosts.row("hostC").getByTestId("host-remove-confirm").click();
  await expect(hosts.row("hostC")).toHaveCount(0);

  // a name that is taken is said at the scan
  await hosts.fill({ name: "hostB", address: c.address, port: c.port, keyPath: c.keyPath });
  await hosts.fetchKey();
  await expect(page.getByTestId("known-host")).toContainText("A host named hostB already exists: choose another name.");
  await expect(page.getByTestId("accept")).toHaveCount(0);

  // a key the host does not accept: refused, nothing stored
  const wrongKey = c.keyPath.replace(/id_ed25519$/, "hosts/hostA/ssh_host_ed25519_key");
  await hosts.fill({ name: "hostC", address: c.address, port: c.port, keyPath: wrongKey });
  await hosts.fetchKey();
  await expect(page.getByTestId("fingerprint")).toHaveText(c.fingerprint);
  await hosts.accept();
  await expect(hosts.error()).toContainText("refused the key");
  await expect(hosts.row("hostC")).toHaveCount(0);

  await hosts.fill({ name: "hostC", address: c.address, port: c.port, keyPath: c.keyPath });
  await hosts.accept();
  await expect(page.getByTestId("form-notice")).toContainText("hostC added");
  await expect(hosts.row("hostC")).toContainText(c.fingerprint);

  await hosts.row("hostC").getByTestId("host-test").click();
  await expect(hosts.row("hostC").getByTestId("host-message")).toContainText(/Reached in \d+ ms/);

  const cluster = new ClusterPage(page);
  await cluster.open();
  await expect(cluster.host("hostC")).toHaveAttribute("data-status", "online");
});

test("the hosts API answers bad requests with a 4xx, a code and a message, and stores nothing", async () => {
  const request = await apiAs("admin");
  const before = await hostCount();
  const bad = await request.post("/api/hosts", {
    data: { name: "x y", address: "1.2.3.4", port: 22, authMethod: "key", keyPath: "/k", fingerprint: "nope" },
  });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toMatchObject({
    code: "invalid_input",
    message: expect.stringContaining("letters, digits"),
  });

  const b = (await simHosts()).find((h) => h.name === "hostB")!;
  const dup = await request.post("/api/hosts", {
    data: {
      name: "hostB",
      address: b.address,
      port: b.port,
      authMethod: "key",
      keyPath: b.keyPath,
      fingerprint: b.fingerprint,
    },
  });
  expect(dup.status()).toBe(409);
  expect((await dup.json()).error.code).toBe("conflict");

  const notJson = await request.post("/api/hosts/scan", { headers: { "content-type": "application/json" }, data: "{" });
  expect(notJson.status()).toBe(400);
  expect((await request.delete("/api/hosts/nope")).status()).toBe(404);
  expect(await hostCount()).toBe(before);
});
