import type { Db } from "../db/client";
import type { Inventory } from "../inventory/inventory";
import type { HostView } from "../inventory/types";
import type { Check } from "../checks/migration";
import { targetAddressOf } from "../checks/migration";
import { formatMiB } from "../format";
import { imageDirsOf, type ImageCatalog, type ImageView } from "../images/catalog";
import { argv, freeKiB, parseProgress, parseSha256 } from "../toolstacks/xl/saverestore";
import { parseDirStat } from "../toolstacks/linux/dir-stat";
import { parseAnySaveHeader, saveRestoreOps } from "../toolstacks/saverestore";
import type { JobEventInput } from "./types";
import type { MigrationOutcome } from "../toolstacks/migration";

// Save, restore and move-by-save/restore jobs (the guide's first method). A save leaves the domain in
// an image (0600, sha256 recorded); a failed save resumes it; a restore of a changed image is refused.

export interface RunContext { db: Db; inventory: Inventory; catalog: ImageCatalog; jobId: string; emit(e: JobEventInput): Promise<void> }

/** virsh's "\rSave: [ 37 %]" progress has no newline and lands in front of the next line: drop it. */
const withoutProgress = (line: string) => line.replace(/\r?\w+: \[\s*\d+ %\]/g, "").trim();
const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const ok = (id: string, label: string, reason: string): Check => ({ id, label, status: "ok", reason });
const fail = (id: string, label: string, reason: string): Check => ({ id, label, status: "fail", reason });

function domainOn(ctx: RunContext, host: HostView, name: string) {
  return saveRestoreOps(host.toolstack).active(ctx.inventory.connection(host), name);
}

export async function saveChecks(ctx: RunContext, host: HostView, domain: string, path: string): Promise<Check[]> {
  const conn = ctx.inventory.connection(host);
  const d = host.domains.find((x) => x.name === domain && x.id !== 0);
  const checks: Check[] = [d && (d.state === "running" || d.state === "idle") ? ok("domain-running", "Domain is running", `${domain} runs on ${host.name}.`) : fail("domain-running", "Domain is running", `${domain} is not running on ${host.name}.`)];
  const dir = dirname(path);
  const st = await conn.exec(["stat", "-c", "%a %U %n", dir], { timeoutMs: 10_000 }).catch(() => null);
  const dirFacts = st ? parseDirStat(dir, st.code, st.stdout, st.stderr) : null;
  checks.push(dirFacts?.state === "private" ? ok("dir-private", "Image directory is private", `${dir} is mode ${dirFacts.mode}.`)
    : fail("dir-private", "Image directory is private", dirFacts?.state === "missing" ? `${dir} does not exist on ${host.name}.`
      : `${dir} is ${dirFacts?.mode ? `mode ${dirFacts.mode}, ` : ""}readable by others: saved images are unencrypted memory. Run chmod 700 ${dir}.`));
  const free = await freeKiB(conn, dir);
  const need = (d?.memoryMiB ?? 0) * 1024 + 1024;
  checks.push(free !== null && free >= need ? ok("space", "Free space for the image", `${formatMiB(Math.floor(free / 1024))} free, ${formatMiB(Math.ceil(need / 1024))} needed.`)
    : fail("space", "Free space for the image", free === null ? `Could not read the free space of ${dir}.` : `${dir} has ${formatMiB(Math.floor(free / 1024))} free; the image needs ${formatMiB(Math.ceil(need / 1024))}.`));
  const exists = await conn.exec(argv.statFile(path), { timeoutMs: 10_000 }).catch(() => null);
  checks.push(exists?.code === 0 ? fail("no-overwrite", "No file of that name", `${path} already exists; Ferry does not overwrite images.`) : ok("no-overwrite", "No file of that name", `${basename(path)} is a new file.`));
  return checks;
}

/** Runs `xl save` / `virsh save` with progress; on success the image is 0600, checksummed and in the catalog. */
export async function runSave(ctx: RunContext, host: HostView, domain: string, memoryMiB: number, path: string): Promise<MigrationOutcome & { image?: ImageView }> {
  const conn = ctx.inventory.connection(host);
  const ops = saveRestoreOps(host.toolstack);
  await ctx.emit({ type: "phase", phase: "stop-and-copy", payload: {} });
  const lines: string[] = [];
  const t0 = Date.now();
  let last = { t: t0, bytes: 0 };
  const sample = (bytes: number) => {
    const now = Date.now();
    void ctx.emit({ type: "sample", phase: "stop-and-copy", payload: { bytesSent: bytes, throughputBps: now > last.t ? Math.max(0, Math.round(((bytes - last.bytes) * 1000) / (now - last.t))) : 0, elapsedMs: now - t0 } });
    last = { t: now, bytes };
  };
  // virsh's "\rSave: [ 37 %]" has no newline: ask libvirt's job stats instead, every 500 ms
  let saving = true;
  const polling = ops.saveProgress ? (async () => {
    while (saving) {
      const bytes = await ops.saveProgress!(conn, domain);
      if (bytes !== null && saving) sample(bytes);
      await new Promise((r) => setTimeout(r, 500));
    }
  })() : Promise.resolve();
  const r = await conn.exec(ops.save(domain, path), {
    timeoutMs: 6 * 3600_000,
    onStderrLine: (raw) => {
      const line = withoutProgress(raw);
      if (!line) return;
      lines.push(line);
      void ctx.emit({ type: "log", phase: "stop-and-copy", payload: { line } });
      const p = parseProgress(line);
      if (p) sample(p.done * 4096);
    },
  }).catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  saving = false;
  await polling;
  if (r.code !== 0) {
    await conn.exec(argv.remove(path), { timeoutMs: 30_000 }).catch(() => null); // never leave a partial image behind
    const err = ops.error(lines.length ? lines.join("\n") : r.stderr, "save");
    const d = await domainOn(ctx, host, domain);
    return { status: "failed", errorCode: err.code, errorMessage: err.message,
      location: d ? { host: host.name, note: `${domain} runs on ${host.name} (id ${d.id}); the partial image was deleted.` } : { host: null, note: `${domain} is not listed on ${host.name}: check the host.` } };
  }
  await conn.exec(argv.chmodPrivate(path), { timeoutMs: 30_000 });
  await ctx.emit({ type: "log", phase: "stop-and-copy", payload: { line: `ferry: computing sha256 of ${path} on ${host.name}…` } });
  const [sum, head, stat] = await Promise.all([
    conn.exec(argv.sha256(path), { timeoutMs: 60 * 60_000 }), conn.exec(argv.headBase64(path), { timeoutMs: 30_000 }), conn.exec(argv.statFile(path), { timeoutMs: 30_000 }),
  ]);
  const sha = parseSha256(sum.stdout);
  const header = parseAnySaveHeader(head.stdout) ?? { name: domain, uuid: null, memoryMiB };
  const size = Number(stat.stdout.trim().split(" ")[2] ?? 0);
  const image = await ctx.catalog.record({ host, path, header, sizeBytes: size, sha256: sha ?? "", jobId: ctx.jobId });
  await ctx.emit({ type: "log", phase: "stop-and-copy", payload: { line: `ferry: sha256 ${sha}; mode 600` } });
  return { status: "succeeded", errorCode: null, errorMessage: null, image,
    location: { host: null, note: `${domain} is saved in ${host.name}:${path} (${formatMiB(Math.round(size / 1048576))}, sha256 ${sha?.slice(0, 12)}…). It runs nowhere until restored.` } };
}

export async function restoreChecks(ctx: RunContext, image: ImageView, target: HostView): Promise<Check[]> {
  const conn = ctx.inventory.connection(target);
  const checks: Check[] = [];
  const st = await conn.exec(argv.statFile(image.path), { timeoutMs: 10_000 }).catch(() => null);
  checks.push(st?.code === 0 ? ok("readable", "Target can read the image", `${target.name} sees ${image.path}.`)
    : fail("readable", "Target can read the image", `${target.name} cannot read ${image.path}${image.hostId !== target.id ? ` (it is on ${image.hostName}; move it to shared storage first)` : ""}.`));
  if (st?.code === 0) {
    const sum = parseSha256((await conn.exec(argv.sha256(image.path), { timeoutMs: 60 * 60_000 })).stdout);
    checks.push(image.sha256 === null ? { id: "checksum", label: "Image unchanged since the save", status: "warn", reason: "Ferry did not make this image, so it has no checksum to compare." }
      : sum === image.sha256 ? ok("checksum", "Image unchanged since the save", `sha256 ${sum.slice(0, 12)}… matches.`)
      : fail("checksum", "Image unchanged since the save", `The image changed since it was saved (sha256 ${sum?.slice(0, 12) ?? "unreadable"}… ≠ ${image.sha256.slice(0, 12)}…): Ferry refuses to restore it.`));
  }
  const free = target.facts?.freeMemoryMiB ?? 0;
  checks.push(free >= image.memoryMiB ? ok("memory", "Enough free memory on the target", `${formatMiB(image.memoryMiB)} needed, ${formatMiB(free)} free.`)
    : fail("memory", "Enough free memory on the target", `${image.domainName} needs ${formatMiB(image.memoryMiB)}; ${target.name} has ${formatMiB(free)} free.`));
  const origin = ctx.inventory.get(image.hostId)?.facts;
  const tf = target.facts;
  checks.push(!origin || !tf || (origin.arch === tf.arch && origin.virtExtensions.join() === tf.virtExtensions.join())
    ? ok("arch", "Same architecture", `${tf?.arch ?? "?"} with ${tf?.virtExtensions.join(", ") || "no extensions"}.`)
    : fail("arch", "Same architecture", `Saved on ${origin.arch}/${origin.virtExtensions.join(",")}, target is ${tf.arch}/${tf.virtExtensions.join(",")}.`));
  // a shut-off libvirt definition (id -1) does not run; only active domains count
  const running = ctx.inventory.snapshot().find((h) => h.domains.some((d) => d.name === image.domainName && d.id >= 0));
  checks.push(running ? fail("not-running", "Domain not running anywhere", `${image.domainName} already runs on ${running.name}: restoring would make two copies.`)
    : ok("not-running", "Domain not running anywhere", `${image.domainName} runs on no registered host.`));
  return checks;
}

export async function runRestore(ctx: RunContext, image: ImageView, target: HostView): Promise<MigrationOutcome> {
  const conn = ctx.inventory.connection(target);
  const ops = saveRestoreOps(target.toolstack);
  await ctx.emit({ type: "phase", phase: "activation", payload: {} });
  const lines: string[] = [];
  const r = await conn.exec(ops.restore(image.path), { timeoutMs: 6 * 3600_000, onStderrLine: (raw) => { const line = withoutProgress(raw); if (!line) return; lines.push(line); void ctx.emit({ type: "log", phase: "activation", payload: { line } }); } })
    .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  const d = await domainOn(ctx, target, image.domainName);
  if (r.code !== 0) {
    const err = ops.error(lines.length ? lines.join("\n") : r.stderr, "restore");
    return { status: "failed", errorCode: err.code, errorMessage: err.message,
      location: d ? { host: target.name, note: `${image.domainName} runs on ${target.name}.` } : { host: null, note: `${image.domainName} is still only in ${image.hostName}:${image.path}.` } };
  }
  return { status: "succeeded", errorCode: null, errorMessage: null,
    location: { host: target.name, note: `${image.domainName} runs on ${target.name} as domain id ${d?.id ?? "?"}. A restore attaches no console: run \`${ops.consoleHint(image.domainName)}\` on ${target.name}.` } };
}

/** Where a move keeps its image: shared storage both hosts see (private), else the source's own directory. */
export async function moveImagePath(ctx: RunContext, source: HostView, target: HostView, domain: string): Promise<{ path: string; shared: boolean }> {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const dir of imageDirsOf(source).filter((d) => d !== source.imageDir)) {
    const [a, b] = await Promise.all([source, target].map((h) => ctx.inventory.connection(h).exec(["stat", "-c", "%a %U %n", dir], { timeoutMs: 10_000 }).catch(() => null)));
    if (a && b && parseDirStat(dir, a.code, a.stdout, a.stderr).state === "private" && parseDirStat(dir, b.code, b.stdout, b.stderr).state === "private") {
      return { path: `${dir}/${domain}-move-${stamp}.save`, shared: true };
    }
  }
  return { path: `${source.imageDir}/${domain}-move-${stamp}.save`, shared: false };
}

/** Copies an image host to host over SSH (scp from the source), into the target's image directory. */
export async function copyImage(ctx: RunContext, source: HostView, target: HostView, path: string): Promise<string | null> {
  const dest = `${target.imageDir}/${basename(path)}`;
  await ctx.emit({ type: "phase", phase: "commitment", payload: {} });
  await ctx.emit({ type: "log", phase: "commitment", payload: { line: `ferry: copying ${path} to ${target.name}:${dest} over SSH` } });
  const r = await ctx.inventory.connection(source).exec(["scp", "-q", "-o", "BatchMode=yes", path, `${targetAddressOf(target)}:${dest}`], { timeoutMs: 6 * 3600_000 })
    .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
  if (r.code !== 0) { await ctx.emit({ type: "log", phase: "commitment", payload: { line: r.stderr.trim() } }); return null; }
  await ctx.inventory.connection(target).exec(argv.chmodPrivate(dest), { timeoutMs: 30_000 });
  return dest;
}
