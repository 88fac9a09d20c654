import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal, type JobInfoPayload } from "../lib/jobs/types";
import { DISK_GUEST, DISK_PATH, removeDiskGuest, startDiskGuest } from "../e2e/lab/disk-guest";
import { readGuest } from "../e2e/lab/verifier";
import { LAB, LAB_HOSTS, consoleOf, domstate, hx, record, until, type LabHost } from "../sim/trials/lab-hosts";

// bench:forecast's disk part: the lab's guest with a disk on its host's own storage (e2e/lab/disk-guest.ts) moved
// live with its disk back and forth between the lab's libvirt hosts, RUNS times; the product's own forecast (the disk
// copy at the link's speed, then the memory's pre-copy) against what QEMU reported (domjobinfo --completed: the whole
// job, disk copy included), and the forecast's disk copy against the time the copy took (its first figures to the
// memory's first). DISK_MIB (default 256): the disk's size, random bytes all in use.

export async function labDiskForecastRows(
  runs = Number(process.env.DISK_RUNS ?? 4),
  diskMiB = Number(process.env.DISK_MIB ?? 256),
): Promise<void> {
  if (!fs.existsSync(path.join(LAB, "lab.env")) || hx("hostB", "true").code !== 0) {
    console.log(`Real QEMU with a local disk (lab): skipped — the lab is not up (${LAB}; sudo npm run lab:up).`);
    return;
  }
  const booted = consoleOf(DISK_GUEST).length;
  startDiskGuest(LAB, "hostB", diskMiB);
  await until(() => readGuest(consoleOf(DISK_GUEST).slice(booted), "labdisk").beats.length > 0, 90_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-labdisk-"));
  const { db } = await openDatabase(path.join(dir, "ferry.db"));
  const inventory = new Inventory(new SshPool());
  for (const h of LAB_HOSTS) inventory.upsert(record(h));
  const engine = new JobEngine(db, inventory);
  const errT: number[] = [];
  console.log(
    `Real QEMU with a local disk (lab, TCG, ${DISK_GUEST} 128 MiB rewriting 8 MiB, a ${diskMiB} MiB qcow2 disk it writes): forecast against QEMU's report`,
  );
  for (let i = 0; i < runs; i++) {
    const from: LabHost = domstate(DISK_GUEST, "hostB") === "running" ? "hostB" : "hostC";
    const to: LabHost = from === "hostB" ? "hostC" : "hostB";
    hx(to, "rm", "-f", DISK_PATH); // the file the last move left where the guest was (Ferry keeps it)
    await inventory.refreshAll();
    const job = await engine.submit({
      domain: DISK_GUEST,
      sourceId: from,
      targetId: to,
      createdBy: "bench",
      confirmWarnings: true,
    });
    let row: Awaited<ReturnType<typeof db.job.findUniqueOrThrow>>;
    for (;;) {
      row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
      if (isFinal(row.status as never) && !engine.activeJobOn(DISK_GUEST)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const f = JSON.parse(row.forecastJson!);
    const polls = (await engine.events(job.id, 0)).flatMap((e) =>
      e.type === "jobinfo" ? [e.payload as JobInfoPayload] : [],
    );
    const final = polls.find((p) => p.final);
    const firstMemory = polls.find((p) => !p.final && p.memoryTotal != null && (p.memoryProcessed ?? 0) > 0);
    if (row.status !== "succeeded" || !final?.elapsedMs) {
      console.log(`  ${from} → ${to} | ${row.status}: ${row.errorMessage ?? "no completed stats"}`);
      continue;
    }
    const eT = Math.abs(f.totalMs - final.elapsedMs) / final.elapsedMs;
    errT.push(eT);
    const copy = firstMemory?.elapsedMs ?? null;
    console.log(
      `  ${from} → ${to} | forecast ${(f.totalMs / 1000).toFixed(1).padStart(5)} s (disks ${((f.diskCopy?.ms ?? 0) / 1000).toFixed(1)} s) | QEMU ${(final.elapsedMs / 1000).toFixed(1).padStart(5)} s (disks done by ${copy === null ? "?" : `${(copy / 1000).toFixed(1)} s`}) | error ${(eT * 100).toFixed(0).padStart(3)} %`,
    );
    console.log(`      inputs: ${f.inputs.sources.join("; ")}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (errT.length)
    console.log(
      `  median absolute error (lab, with a disk): time ${(med(errT) * 100).toFixed(1)} % over ${errT.length} moves`,
    );
  inventory.stop();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
  removeDiskGuest(LAB);
}

// alone: npx tsx bench/forecast-lab-disks.ts
if (import.meta.url === `file://${process.argv[1]}`) await labDiskForecastRows();
