import { JobEngine } from "../engine";
import { Inventory } from "../../inventory/inventory";
import { SshPool } from "../../ssh/pool";
import { openDatabase } from "../../db/client";
import type { HostRecord } from "../../inventory/types";
import { HostService } from "../../hosts/service";
import { EvacuationService } from "../../evacuate/service";
import { Placement } from "../../evacuate/placement";

// Tests only: a Ferry job engine in a process of its own, so that a test can SIGKILL it mid-job (no cleanup,
// SSH sessions cut) and then recover with another engine on the same database. Hosts come from
// FERRY_TEST_HOSTS (JSON) or, when that is empty, from the database's own host rows; the database from FERRY_TEST_DB,
// the job to submit from argv[2] (JSON) — or an evacuation to run (`{ "kind": "evacuate", "run": … }`, as
// EvacuationService.run takes it); every job event is printed as a JSON line. Used by lib/jobs/file-job-faults.test.ts,
// lib/evacuate/service.test.ts and the trials (sim/trials).

const hosts = JSON.parse(process.env.FERRY_TEST_HOSTS ?? "[]") as HostRecord[];
const { db } = await openDatabase(process.env.FERRY_TEST_DB!);
const inventory = new Inventory(new SshPool());
for (const h of hosts) inventory.upsert(h);
const hostService = new HostService(db, inventory);
if (!hosts.length) await hostService.loadAll();
await inventory.refreshAll();
const engine = new JobEngine(db, inventory, {
  pollMs: 20,
  virshPollMs: 40,
  settlePollMs: 50,
  ...JSON.parse(process.env.FERRY_TEST_ENGINE_OPTS ?? "{}"),
});
engine.on("event", (e) => process.stdout.write(`${JSON.stringify(e)}\n`));
const req = JSON.parse(process.argv[2]);
if (req.kind === "evacuate") {
  const evacuation = await new EvacuationService(db, inventory, engine, hostService, new Placement(db, inventory)).run(
    req.run,
    "test",
  );
  process.stdout.write(`${JSON.stringify({ submitted: evacuation.id })}\n`);
} else {
  const job = await submit();
  process.stdout.write(`${JSON.stringify({ submitted: job.id })}\n`);
}

function submit() {
  return req.kind === "save"
    ? engine.submitSave(req)
    : req.kind === "restore"
      ? engine.submitRestore(req)
      : req.kind === "migrate"
        ? engine.submit(req)
        : engine.submitMove(req);
}
