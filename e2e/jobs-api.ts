import { expect, type APIRequestContext } from "@playwright/test";
import { E2E } from "./env";

// Jobs through the API, for tests that need one running beside what they look at: start, wait for the end as the
// job's row says, and put a domain back where the next specs expect it.

export async function hostIds(api: APIRequestContext): Promise<Record<string, string>> {
  const hosts = (await (await api.get("/api/hosts")).json()).hosts as { id: string; name: string }[];
  return Object.fromEntries(hosts.map((h) => [h.name, h.id]));
}

export async function whereRuns(domain: string): Promise<string[]> {
  return (await (await fetch(`${E2E.simControl}/domains/${domain}`)).json()).hosts;
}

/** A live migration with its warnings confirmed (a forecast learned from earlier runs may warn; a test's own moves go anyway). */
export async function startMigration(api: APIRequestContext, domain: string, from: string, to: string) {
  const ids = await hostIds(api);
  const res = await api.post("/api/jobs", {
    data: { kind: "migrate", domain, sourceId: ids[from], targetId: ids[to], confirmWarnings: true },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).job as { id: string; createdAt: string };
}

export async function waitFinal(api: APIRequestContext, jobId: string): Promise<string> {
  let status = "";
  await expect
    .poll(
      async () => {
        status = (await (await api.get(`/api/jobs/${jobId}`)).json()).job.status;
        return ["succeeded", "failed", "cancelled", "interrupted"].includes(status);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return status;
}

/** Cancels a job and, if it finished before the cancel reached it, migrates its domain back to `home`. */
export async function cancelAndPutBack(api: APIRequestContext, jobId: string, domain: string, home: string) {
  await api.post(`/api/jobs/${jobId}/cancel`);
  await waitFinal(api, jobId);
  const now = (await whereRuns(domain))[0];
  if (now !== home) expect(await waitFinal(api, (await startMigration(api, domain, now, home)).id)).toBe("succeeded");
  expect(await whereRuns(domain)).toEqual([home]);
}
