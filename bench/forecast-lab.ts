import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { Inventory } from "../lib/inventory/inventory";
import { SshPool } from "../lib/ssh/pool";
import { JobEngine } from "../lib/jobs/engine";
import { isFinal, type JobInfoPayload } from "../lib/jobs/types";

// bench:forecast's real part: the lab's QEMU guest (e2e/lab) migrated between the lab's two libvirt hosts
// LAB_RUNS times (default 5), the product's own forecast (link probe over SSH, QEMU's dirty-rate measurement,
// QEMU's policy) against what QEMU reported after each migration (domjobinfo --completed).

const LAB = process.env.LAB ?? "/tmp/ferry-lab";
const GUEST = "labvm1";
const HOSTS = { hostB: "10.77.0.12", hostC: "10.77.0.13" } as const;
type LabHost = keyof typeof HOSTS;

function hx(host: LabHost, ...argv: string[]): string | null {
  try {
    return execFileSync(path.join(LAB, "bin", "hx"), [host, ...argv], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}
const state = (h: LabHost) => hx(h, "virsh", "domstate", GUEST)?.trim() ?? null;

export async function labForecastRows(): Promise<void> {
  if (!fs.existsSync(path.join(LAB, "lab.env"))) {
    console.log(`Real QEMU (lab): skipped — the lab is not up (${LAB}/lab.env missing; sudo npm run lab:up).`);
    return;
  }
  if (hx("hostB", "true") === null || hx("hostC", "true") === null) {
    console.log(
      `Real QEMU (lab): skipped — ${LAB}/lab.env is there but the lab's hosts do not answer (run npm run lab:up again).`,
    );
    return;
  }
  // the guest runs on hostB only, as the lab defines it
  if (state("hostB") !== "running") {
    if (state("hostC") === "running") hx("hostC", "virsh", "destroy", GUEST);
    if (state("hostC") !== null) hx("hostC", "virsh", "undefine", GUEST);
    if (state("hostB") === null) hx("hostB", "virsh", "define", path.join(LAB, "shared", "xml", `${GUEST}.xml`));
    hx("hostB", "virsh", "start", GUEST);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-bench-lab-"));
  const { db } = await openDatabase(path.join(dir, "ferry.db"));
  const inventory = new Inventory(new SshPool());
  for (const [name, address] of Object.entries(HOSTS) as [LabHost, string][]) {
    const pub = path.join(LAB, "hosts", name, "ovl", "etc.up", "ssh", "ssh_host_ed25519_key.pub");
    const fingerprint = /SHA256:\S+/.exec(execFileSync("ssh-keygen", ["-lf", pub], { encoding: "utf8" }))![0];
    inventory.upsert({
      id: name,
      name,
      address,
      port: 22,
      user: "root",
      authMethod: "key",
      keyPath: path.join(LAB, "keys", "id_ed25519"),
      fingerprint,
      toolstack: "virsh",
      imageDir: path.join(LAB, "shared", "saves"),
    });
  }
  await inventory.refreshAll();
  const engine = new JobEngine(db, inventory);
  // what Ferry lets an emulated guest do: no bandwidth limit, a maximum downtime of 1500 ms or more (Ferry raises a
  // lower one: lib/toolstacks/virsh/emulation.ts); LAB_RUNS migrations back and forth, the first with nothing learned
  const runs = Number(process.env.LAB_RUNS ?? 5);
  const settings = Array.from({ length: runs }, (_, k) => (k % 3 === 2 ? { maxDowntimeMs: 2500 } : {}));
  const errT: number[] = [];
  const errD: number[] = [];
  console.log(`Real QEMU (lab, TCG, ${GUEST} 128 MiB rewriting 32 MiB): the product's forecast against QEMU's report`);
  for (const options of settings) {
    await inventory.refreshAll();
    const from: LabHost = state("hostB") === "running" ? "hostB" : "hostC";
    const to: LabHost = from === "hostB" ? "hostC" : "hostB";
    const job = await engine
      .submit({ domain: GUEST, sourceId: from, targetId: to, createdBy: "bench", confirmWarnings: true, options })
      .catch((e: Error) => e);
    if (job instanceof Error) {
      console.log(`  ${JSON.stringify(options)} refused: ${job.message}`);
      continue;
    }
    let row: Awaited<ReturnType<typeof db.job.findUniqueOrThrow>>;
    for (;;) {
      row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
      if (isFinal(row.status as never) && !engine.activeJobOn(GUEST)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const f = JSON.parse(row.forecastJson!);
    const final = (await engine.events(job.id, 0)).find(
      (e) => e.type === "jobinfo" && (e.payload as JobInfoPayload).final,
    )?.payload as JobInfoPayload | undefined;
    const label = `${from} → ${to}, max downtime ${f.maxDowntimeMs} ms${"maxDowntimeMs" in options ? "" : " (Ferry's)"}`;
    if (row.status !== "succeeded" || !final?.elapsedMs || final.totalDowntimeMs === null) {
      console.log(`  ${label.padEnd(42)} | ${row.status}: ${row.errorMessage ?? "no completed stats"}`);
      continue;
    }
    const eT = Math.abs(f.totalMs - final.elapsedMs) / final.elapsedMs;
    const eD = Math.abs(f.downtimeMs - final.totalDowntimeMs) / Math.max(1, final.totalDowntimeMs);
    errT.push(eT);
    errD.push(eD);
    console.log(
      `  ${label.padEnd(42)} | forecast ${(f.totalMs / 1000).toFixed(1).padStart(5)} s ${String(Math.round(f.downtimeMs)).padStart(5)} ms ${String(f.rounds).padStart(2)} rounds | QEMU ${(final.elapsedMs / 1000).toFixed(1).padStart(5)} s ${String(final.totalDowntimeMs).padStart(5)} ms ${String(final.iteration).padStart(2)} rounds | error ${(eT * 100).toFixed(0).padStart(3)} % / ${(eD * 100).toFixed(0).padStart(3)} %`,
    );
    console.log(`      inputs: ${f.inputs.sources.join("; ")}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (errT.length)
    console.log(
      `  median absolute error (lab): time ${(med(errT) * 100).toFixed(1)} %, downtime ${(med(errD) * 100).toFixed(1)} %`,
    );
  inventory.stop();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
}
