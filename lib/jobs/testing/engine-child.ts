import { JobEngine } from "../engine";
import { Inventory } from "../../inventory/inventory";
import { SshPool } from "../../ssh/pool";
import { openDatabase } from "../../db/client";
import type { HostRecord } from "../../inventory/types";

// Tests only: a Ferry job engine in a process of its own, so that a test can SIGKILL it mid-job (no cleanup,
// SSH sessions cut) and then recover with another engine on the same database. Hosts come from
// FERRY_TEST_HOSTS (JSON), the database from FERRY_TEST_DB, the job to submit from argv[2] (JSON);
// every job event is printed as a JSON line. Used by lib/jobs/file-job-faults.test.ts and the trials (sim/trials).

const hosts = JSON.parse(process.env.FERRY_TEST_HOSTS ?? "[]") as HostRecord[];
const { db } = await openDatabase(process.env.FERRY_TEST_DB!);
const inventory = new Inventory(new SshPool());
for (const h of hosts) inventory.upsert(h);
await inventory.refreshAll();
const engine = new JobEngine(db, inventory, {
  pollMs: 20,
  virshPollMs: 40,
  settlePollMs: 50,
  ...JSON.parse(process.env.FERRY_TEST_ENGINE_OPTS ?? "{}"),
});
engine.on("event", (e) => process.stdout.write(`${JSON.stringify(e)}\n`));
const req = JSON.parse(process.argv[2]);
const job =
  req.kind === "save"
    ? await engine.submitSave(req)
    : req.kind === "restore"
      ? await engine.submitRestore(req)
      : req.kind === "migrate"
        ? await engine.submit(req)
        : await engine.submitMove(req);
process.stdout.write(`${JSON.stringify({ submitted: job.id })}\n`);
