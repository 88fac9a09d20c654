import type { HostView } from "../../inventory/types";
import { oneDomainNamed } from "../../inventory/problems";
import type { Check } from "../../checks/migration";
import { formatMiB } from "../../format";
import type { ImageView } from "../../images/catalog";
import { hostArgv as argv, freeKiB } from "../../toolstacks/linux/host-commands";
import { parseDirStat } from "../../toolstacks/linux/dir-stat";
import { driverOf } from "../../toolstacks";
import { AppError, type ErrorCode } from "../../errors";
import { asking, silentOutcome, type JobOutcome, type RunContext } from "./context";
import { jobLane } from "../lane";
import { ask, fileFacts, HostSilent, settleRestore, settleSave, sha256Of, type SaveVerdict } from "../settle";

// The steps that make an image and use one, shared by the save, restore and move kinds (the guide's first
// method): a save's checks, the save and its conclusion; the restore and its conclusion. A save leaves the domain in
// an image (0600, sha256 recorded); a failed save leaves it running where it was (the toolstack resumes it, Ferry
// asks the host that it runs); a restore of a changed image is refused.

const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const ok = (id: string, label: string, reason: string): Check => ({ id, label, status: "ok", reason });
const fail = (id: string, label: string, reason: string): Check => ({ id, label, status: "fail", reason });

export async function saveChecks(ctx: RunContext, host: HostView, domain: string, path: string): Promise<Check[]> {
  const conn = ctx.inventory.connection(host);
  const d = oneDomainNamed(host, domain); // a name listed twice is refused here, with the reason
  const checks: Check[] = [
    d && (d.state === "running" || d.state === "idle")
      ? ok("domain-running", "Domain is running", `${domain} runs on ${host.name}.`)
      : fail("domain-running", "Domain is running", `${domain} is not running on ${host.name}.`),
  ];
  const dir = dirname(path);
  const st = await conn.exec(argv.statDir(dir), { timeoutMs: 10_000 }).catch(() => null);
  const dirFacts = st ? parseDirStat(dir, st.code, st.stdout, st.stderr) : null;
  checks.push(
    dirFacts?.state === "private"
      ? ok("dir-private", "Image directory is private", `${dir} is mode ${dirFacts.mode}.`)
      : fail(
          "dir-private",
          "Image directory is private",
          dirFacts?.state === "missing"
            ? `${dir} does not exist on ${host.name}.`
            : `${dir} is ${dirFacts?.mode ? `mode ${dirFacts.mode}, ` : ""}readable by others: saved images are unencrypted memory. Run chmod 700 ${dir}.`,
        ),
  );
  const free = await freeKiB(conn, dir);
  const need = (d?.memoryMiB ?? 0) * 1024 + 1024;
  checks.push(
    free !== null && free >= need
      ? ok(
          "space",
          "Free space for the image",
          `${formatMiB(Math.floor(free / 1024))} free, ${formatMiB(Math.ceil(need / 1024))} needed.`,
        )
      : fail(
          "space",
          "Free space for the image",
          free === null
            ? `Could not read the free space of ${dir}.`
            : `${dir} has ${formatMiB(Math.floor(free / 1024))} free; the image needs ${formatMiB(Math.ceil(need / 1024))}.`,
        ),
  );
  const exists = await conn.exec(argv.statFile(path), { timeoutMs: 10_000 }).catch(() => null);
  checks.push(
    exists?.code === 0
      ? fail("no-overwrite", "No file of that name", `${path} already exists; Ferry does not overwrite images.`)
      : ok("no-overwrite", "No file of that name", `${basename(path)} is a new file.`),
  );
  return checks;
}

/** Runs `xl save` / `virsh save` with progress; on success the image is 0600, checksummed and in the catalog. */
export async function runSave(
  ctx: RunContext,
  host: HostView,
  domain: string,
  memoryMiB: number,
  path: string,
): Promise<JobOutcome & { image?: ImageView }> {
  const conn = jobLane(ctx.inventory.connection(host));
  const ops = driverOf(host.toolstack).files;
  await ctx.emit({ type: "phase", phase: "stop-and-copy", payload: {} });
  const lines: string[] = [];
  const t0 = Date.now();
  let last = { t: t0, bytes: 0 };
  const sample = (bytes: number) => {
    const now = Date.now();
    void ctx.emit({
      type: "sample",
      phase: "stop-and-copy",
      payload: {
        bytesSent: bytes,
        throughputBps: now > last.t ? Math.max(0, Math.round(((bytes - last.bytes) * 1000) / (now - last.t))) : 0,
        elapsedMs: now - t0,
      },
    });
    last = { t: now, bytes };
  };
  // virsh's "\rSave: [ 37 %]" has no newline: ask libvirt's job stats instead, every 500 ms; a toolstack that
  // says nothing while it saves (xm) is watched by the image file's size
  let saving = true;
  const written = async (): Promise<number | null> => {
    if (ops.saveProgress) return ops.saveProgress(conn, domain);
    const r = await conn.exec(argv.statFile(path), { timeoutMs: 5_000 }).catch(() => null);
    const size = r?.code === 0 ? Number(r.stdout.trim().split(/\s+/)[2]) : Number.NaN;
    return Number.isFinite(size) ? size : null;
  };
  const polling =
    ops.saveProgress || !ops.progressOfLine
      ? (async () => {
          while (saving) {
            const bytes = await written();
            if (bytes !== null && saving) sample(bytes);
            await new Promise((r) => setTimeout(r, 500));
          }
        })()
      : Promise.resolve();
  const r = await conn
    .exec(ops.save(domain, path), {
      timeoutMs: 6 * 3600_000,
      onStderrLine: (raw) => {
        const line = ops.outputLine(raw);
        if (!line) return;
        lines.push(line);
        void ctx.emit({ type: "log", phase: "stop-and-copy", payload: { line } });
        const p = ops.progressOfLine?.(line);
        if (p) sample(p.done * 4096);
      },
    })
    .catch((e: Error) => e);
  saving = false;
  await polling;
  const a = asking(ctx);
  try {
    // the session dropped (or timed out): the save may still be running, or finished, on the host — ask it
    if (r instanceof Error) {
      await ctx.emit({
        type: "log",
        phase: "stop-and-copy",
        payload: { line: `ferry: lost sight of the save: ${r.message}` },
      });
      return await concludeSave(ctx, host, domain, memoryMiB, path, await settleSave(a, host, domain, path), null);
    }
    if (r.code !== 0)
      return await concludeSave(
        ctx,
        host,
        domain,
        memoryMiB,
        path,
        await settleSave(a, host, domain, path),
        ops.error(lines.length ? lines.join("\n") : r.stderr, "save"),
      );
    return await concludeSave(ctx, host, domain, memoryMiB, path, { kind: "saved", size: -1 }, null);
  } catch (e) {
    if (e instanceof HostSilent) return silentOutcome(e, "save");
    throw e;
  }
}

/** Turns what the host said about a save into the job's outcome; a finished image is made private and catalogued. */
export async function concludeSave(
  ctx: RunContext,
  host: HostView,
  domain: string,
  memoryMiB: number,
  path: string,
  v: SaveVerdict,
  err: { code: ErrorCode; message: string } | null,
): Promise<JobOutcome & { image?: ImageView }> {
  if (v.kind === "not-saved") {
    const e = err ?? {
      code: "save_failed" as const,
      message: "The save did not finish on the host; the domain runs again.",
    };
    return {
      status: "failed",
      errorCode: e.code,
      errorMessage: e.message,
      location: {
        host: host.name,
        note: `${domain} runs on ${host.name}${v.partialDeleted ? "; the partial image was deleted" : ""}.`,
      },
    };
  }
  if (v.kind === "stuck") {
    return {
      status: "interrupted",
      errorCode: err?.code ?? "ssh_lost_during_job",
      errorMessage: err?.message ?? "The save stopped half-way.",
      location: { host: v.host, note: v.note },
    };
  }
  const a = asking(ctx);
  const phase = "stop-and-copy" as const;
  await ask(a, host, phase, async (r) => {
    const x = await r.exec(argv.chmodPrivate(path), { timeoutMs: 30_000 });
    if (x.code !== 0) throw new AppError("toolstack_error", x.stderr.trim());
  });
  await ctx.emit({ type: "log", phase, payload: { line: `ferry: computing sha256 of ${path} on ${host.name}…` } });
  const sha = await sha256Of(a, host, path, phase);
  const file = await fileFacts(a, host, path, phase);
  const header = file?.header ?? { name: domain, uuid: null, memoryMiB };
  const size = file?.size ?? 0;
  const image = await ctx.catalog.record({ host, path, header, sizeBytes: size, sha256: sha ?? "", jobId: ctx.jobId });
  // what was written is the finished file: the last sample (after a lost session, or from a toolstack that printed
  // no progress, the only one)
  if (size > 0) await ctx.emit({ type: "sample", phase, payload: { bytesSent: size, throughputBps: 0, elapsedMs: 0 } });
  await ctx.emit({ type: "log", phase, payload: { line: `ferry: sha256 ${sha}; mode 600` } });
  return {
    status: "succeeded",
    errorCode: null,
    errorMessage: null,
    image,
    location: {
      host: null,
      note: `${domain} is saved in ${host.name}:${path} (${formatMiB(Math.round(size / 1048576))}, sha256 ${sha?.slice(0, 12)}…). It runs nowhere until restored.`,
    },
  };
}

export async function runRestore(ctx: RunContext, image: ImageView, target: HostView): Promise<JobOutcome> {
  const conn = jobLane(ctx.inventory.connection(target));
  const ops = driverOf(target.toolstack).files;
  await ctx.emit({ type: "phase", phase: "activation", payload: {} });
  const lines: string[] = [];
  const r = await conn
    .exec(ops.restore(image.path), {
      timeoutMs: 6 * 3600_000,
      onStderrLine: (raw) => {
        const line = ops.outputLine(raw);
        if (!line) return;
        lines.push(line);
        void ctx.emit({ type: "log", phase: "activation", payload: { line } });
      },
    })
    .catch((e: Error) => e);
  try {
    if (r instanceof Error)
      await ctx.emit({
        type: "log",
        phase: "activation",
        payload: { line: `ferry: lost sight of the restore: ${r.message}` },
      });
    const err =
      r instanceof Error
        ? null
        : r.code !== 0
          ? ops.error(lines.length ? lines.join("\n") : r.stderr, "restore")
          : null;
    return concludeRestore(image, target, await settleRestore(asking(ctx), target, image), err);
  } catch (e) {
    if (e instanceof HostSilent) return silentOutcome(e, "restore");
    throw e;
  }
}

/** The restore's outcome from what the target says now (xl/virsh's exit status alone is not the truth after a lost session). */
export function concludeRestore(
  image: Pick<ImageView, "domainName" | "hostName" | "path">,
  target: HostView,
  v: Awaited<ReturnType<typeof settleRestore>>,
  err: { code: ErrorCode; message: string } | null,
): JobOutcome {
  const ops = driverOf(target.toolstack).files;
  if (v.kind === "running") {
    return {
      status: "succeeded",
      errorCode: null,
      errorMessage: null,
      location: {
        host: target.name,
        note: `${image.domainName} runs on ${target.name} as domain id ${v.id}. A restore attaches no console: run \`${ops.consoleHint(image.domainName)}\` on ${target.name}.`,
      },
    };
  }
  const e = err ?? { code: "restore_failed" as const, message: "The restore did not finish on the host." };
  if (v.kind === "stuck")
    return {
      status: "interrupted",
      errorCode: err?.code ?? "ssh_lost_during_job",
      errorMessage: e.message,
      location: { host: null, note: `${v.note} The image stays in ${image.hostName}:${image.path}.` },
    };
  return {
    status: "failed",
    errorCode: e.code,
    errorMessage: e.message,
    location: { host: null, note: `${image.domainName} is still only in ${image.hostName}:${image.path}.` },
  };
}
