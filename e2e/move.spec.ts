import { expect, test } from "@playwright/test";
import { ClusterPage } from "./pages/cluster-page";
import { apiAs, loginAs } from "./auth";
import { E2E } from "./env";
import { drag } from "./drag";

// A move by save/restore stops the guest for the whole transfer: it has its own checks, says the outage in
// words, needs a tick, and records that outage as the job's downtime.

async function where(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

test("the jobs API refuses a move that was not confirmed, with a sentence, and starts nothing", async () => {
  const api = await apiAs("operator");
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const from = (await where("debian_etch_domU"))[0];
  const to = from === "hostB" ? "hostC" : "hostB";
  const before = (await (await api.get("/api/jobs")).json()).jobs.length;
  const res = await api.post("/api/jobs", {
    data: {
      kind: "move",
      domain: "debian_etch_domU",
      sourceId: hosts.find((h) => h.name === from)!.id,
      targetId: hosts.find((h) => h.name === to)!.id,
    },
  });
  expect(res.status()).toBe(400);
  expect((await res.json()).error.message).toContain("stops the domain for the whole transfer");
  expect((await (await api.get("/api/jobs")).json()).jobs.length).toBe(before);
  expect(await where("debian_etch_domU")).toEqual([from]);
  await api.dispose();
});

test("move by save/restore: its checks refuse another toolstack; elsewhere the outage is said, ticked, and recorded as downtime", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await loginAs(page, "operator");
  const cluster = new ClusterPage(page);
  await cluster.open();
  // a KVM guest onto a Xen host: the move's own checks fail (the panel then offers no tick and no start)
  const api0 = await apiAs("operator");
  const hostList = (await (await api0.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  const kvmHome = (await where("web-kvm"))[0];
  const cross = await api0.post("/api/checks/move", {
    data: {
      domain: "web-kvm",
      sourceId: hostList.find((h) => h.name === kvmHome)!.id,
      targetId: hostList.find((h) => h.name === "hostC")!.id,
    },
  });
  expect(cross.status()).toBe(200);
  const crossChecks = (await cross.json()).checks as { id: string; status: string; reason: string }[];
  expect(crossChecks.find((c) => c.id === "toolstack")).toMatchObject({ status: "fail" });
  await api0.dispose();

  const from = (await where("ubuntu_fuwa_nfs_domU"))[0];
  const to = from === "hostB" ? "hostC" : "hostB";
  const xen = await drag(page, cluster.domain(from, "ubuntu_fuwa_nfs_domU"), cluster.host(to));
  await expect(cluster.host(to).getByTestId("drop-verdict")).toHaveAttribute("data-verdict", "ok");
  await xen.drop();
  const dialog = page.getByTestId("migrate-dialog");
  await dialog.getByTestId("move-start").click();
  await expect(dialog.getByTestId("move-outage")).toContainText(
    "ubuntu_fuwa_nfs_domU is stopped for the whole move: about",
  );
  await expect(dialog.getByTestId("move-confirm")).toBeDisabled();
  await dialog.getByTestId("move-accept").check();
  await dialog.getByTestId("move-confirm").click();
  const card = page.locator('[data-testid="job-card-ubuntu_fuwa_nfs_domU"][data-kind="move"]').first();
  await expect(card.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  expect(await where("ubuntu_fuwa_nfs_domU")).toEqual([to]);
  const api = await apiAs("viewer");
  const jobs = (await (await api.get("/api/jobs?domain=ubuntu_fuwa_nfs_domU")).json()).jobs as {
    id: string;
    kind: string;
  }[];
  const jobId = jobs.find((j) => j.kind === "move")!.id;
  const { job } = await (await api.get(`/api/jobs/${jobId}`)).json();
  expect(job.downtimeMs).toBeGreaterThan(0); // the outage, measured from the save to the end of the restore
  expect(job.downtimeBound).toBe(true);
  await page.goto(`/jobs/${jobId}`);
  await expect(page.getByTestId("downtime")).toContainText("≤");
  // the image sat on storage both hosts mount: no copy phase, and the timeline says why
  await expect(page.locator('[data-phase="commitment"]')).toHaveAttribute("data-state", "skipped");
  await expect(page.locator('[data-phase="commitment"]')).toHaveText("No copy: shared storage");
  // the save's bytes: the image's size, not 0 B
  await expect(page.getByTestId("job-figures")).not.toContainText("0 B of");
  await api.dispose();
});
