import type { CommandIO } from "../sh/run";
import type { SimDomain, SimHost, SimJob, World } from "../world";
import { commitDiskCopies, copyDisks, planDiskCopies } from "./virsh-disks";

// virsh migrate on simulated libvirt hosts (save and restore: virsh-saverestore.ts; reference §3.5–3.6, libvirt 9.0 texts as the
// lab printed them). Migration follows QEMU's pre-copy policy: passes over memory until the expected
// downtime (what is left ÷ bandwidth) fits the maximum downtime (default 300 ms) — no round limit, so a
// guest that dirties faster than the link carries never converges unless helped (auto-converge throttles
// its vCPUs 20 % then +10 % per round; post-copy switches it to the target). The job's figures are what
// `virsh domjobinfo` reads every 500 ms.

const PAGE = 4096;
export const MiB = 1024 * 1024;
const TICK_MS = 25;
export const DISK_BPS = 400 * MiB;
export const LIBVIRT_MAGIC = "LibvirtQemudSave";

export const sleep = (world: World, ms: number) => new Promise((r) => setTimeout(r, ms / world.timeScale));
export const positional = (args: string[], valued: string[]) => {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (valued.includes(args[i])) {
      i++;
      continue;
    }
    if (!args[i].startsWith("--")) out.push(args[i]);
  }
  return out;
};
const flagValue = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

export function domainXml(d: Pick<SimDomain, "name" | "uuid" | "memoryMiB" | "vcpus" | "disks">): string {
  const disks = d.disks
    .map(
      (k) =>
        `    <disk type='file' device='disk'>\n      <source file='${k.target}'/>\n      <target dev='${k.vdev}' bus='virtio'/>\n    </disk>\n`,
    )
    .join("");
  return `<domain type='kvm'>\n  <name>${d.name}</name>\n  <uuid>${d.uuid}</uuid>\n  <memory unit='KiB'>${d.memoryMiB * 1024}</memory>\n  <currentMemory unit='KiB'>${d.memoryMiB * 1024}</currentMemory>\n  <vcpu placement='static'>${d.vcpus}</vcpu>\n  <os>\n    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n  </os>\n  <devices>\n${disks}  </devices>\n</domain>\n`;
}

/** libvirt's save header: magic, version 2, data_len, was_running, compressed, cookieOffset, unused[14]; then the XML. */
export function libvirtSaveHead(d: SimDomain): Buffer {
  const xml = Buffer.from(`${domainXml(d)}\0`, "utf8");
  const h = Buffer.alloc(92);
  h.write(LIBVIRT_MAGIC, 0, "latin1");
  h.writeUInt32LE(2, 16);
  h.writeUInt32LE(xml.length, 20);
  h.writeUInt32LE(1, 24);
  return Buffer.concat([h, xml]);
}

export function progress(io: CommandIO, label: string, job: SimJob, done = false) {
  const pct = done || job.remaining === 0 ? 100 : Math.min(99, Math.floor(100 - (job.remaining * 100) / job.total));
  io.err(`\r${label}: [${String(pct).padStart(3)} %]`);
}

/**
 * `virsh migrate --offline --persistent [--undefinesource] dom uri`: only the definition moves (libvirt 9.0 in the lab:
 * no output but a newline; the target's copy is persistent and shut off; a restore there takes it, by UUID).
 */
function migrateDefinition(world: World, src: SimHost, dom: SimDomain, args: string[], uri: string, io: CommandIO) {
  const fail = (msg: string) => {
    io.err(`error: ${msg}\n`);
    return 1;
  };
  if (args.includes("--live")) return fail("Options --live and --offline are mutually exclusive");
  if (!args.includes("--persistent"))
    return fail("Requested operation is not valid: offline migration must be specified with the persistent flag set");
  const other = args.find((a) => a.startsWith("--") && !["--offline", "--persistent", "--undefinesource"].includes(a));
  if (other) return fail(`offline migration with ${other} is not simulated`);
  if (dom.persistent === false)
    return fail("Requested operation is not valid: cannot migrate a transient domain offline (not simulated)");
  const m = /^qemu\+ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::\d+)?\/system$/.exec(uri);
  if (!m) return fail(`invalid argument: unable to parse URI ${uri}`);
  const dst = world.resolve(m[1].replace(/^\[|\]$/g, ""));
  if (!dst || !world.isUp(dst.name) || dst.kind !== "kvm")
    return fail(
      `failed to connect to the hypervisor\nerror: Cannot recv data: ssh: ${dst ? `connect to host ${dst.ip} port 22: Connection refused` : `Could not resolve hostname ${m[1]}: Name or service not known`}: Connection reset by peer`,
    );
  if (dst === src) return fail(`internal error: Attempt to migrate guest to the same host ${src.hostname}`);
  const there = dst.domains.find((d) => d.name === dom.name);
  if (there && there.uuid !== dom.uuid)
    return fail(`operation failed: domain '${dom.name}' already exists with uuid ${there.uuid}`);
  if (there) there.persistent = true;
  else world.addDomain(dst.name, { ...dom, state: "shutoff", job: undefined, persistent: true, domid: -1 });
  if (args.includes("--undefinesource")) {
    if (dom.state === "shutoff") src.domains.splice(src.domains.indexOf(dom), 1);
    else dom.persistent = false;
  }
  io.out("\n");
  world.emit("change", src.name);
  world.emit("change", dst.name);
  return 0;
}

export async function virshMigrate(world: World, srcName: string, args: string[], io: CommandIO): Promise<number> {
  const fail = (msg: string) => {
    io.err(`error: ${msg}\n`);
    return 1;
  };
  const [domArg, uri] = positional(args, ["--bandwidth", "--timeout", "--xml", "--dname", "--migrate-disks"]);
  if (!domArg || !uri) return fail("command 'migrate' requires <domain> and <desturi> options");
  const src = world.host(srcName);
  const dom = src.domains.find((d) => d.name === domArg);
  if (!dom) return fail(`failed to get domain '${domArg}'`);
  if (args.includes("--offline")) return migrateDefinition(world, src, dom, args, uri, io);
  if (dom.state === "shutoff") return fail("Requested operation is not valid: domain is not running");
  if (!args.includes("--live")) return fail("Requested operation is not valid: only --live or --offline is simulated");
  const bw = flagValue(args, "--bandwidth");
  if (bw !== undefined && !/^\d+$/.test(bw)) return fail("migrate: Invalid bandwidth");
  const m = /^qemu\+ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::\d+)?\/system$/.exec(uri);
  if (!m) return fail(`invalid argument: unable to parse URI ${uri}`);
  const dst = world.resolve(m[1].replace(/^\[|\]$/g, ""));
  if (!dst || !world.isUp(dst.name)) {
    return fail(
      `failed to connect to the hypervisor\nerror: Cannot recv data: ssh: ${dst ? `connect to host ${dst.ip} port 22: Connection refused` : `Could not resolve hostname ${m[1]}: Name or service not known`}: Connection reset by peer`,
    );
  }
  if (dst.kind !== "kvm")
    return fail(
      "failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    );
  if (dst === src) return fail(`internal error: Attempt to migrate guest to the same host ${src.hostname}`);
  if (dst.domains.some((d) => d.name === dom.name && d.state !== "shutoff"))
    return fail(`Requested operation is not valid: domain '${dom.name}' is already active`);
  // libvirt keeps one domain per name: a definition of it on the target takes the incoming copy when the UUID is the
  // same (and keeps it persistent), and refuses it otherwise
  const defined = dst.domains.find((d) => d.name === dom.name);
  if (defined && defined.uuid !== dom.uuid)
    return fail(`operation failed: domain '${dom.name}' already exists with uuid ${defined.uuid}`);
  if (world.freeMemoryMiB(dst) < dom.memoryMiB || world.takeFault("target-oom", dom.name)) {
    return fail(
      `internal error: process exited while connecting to monitor: qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory`,
    );
  }

  const disks = planDiskCopies(world, src, dst, dom, args);
  if (disks.error) return fail(disks.error);

  const total = dom.memoryMiB * MiB;
  const maxDowntime = () => dom.maxDowntimeMs ?? 300;
  const limitBps = () => (bw ? Number(bw) * MiB : dom.speedMiBps ? dom.speedMiBps * MiB : Infinity);
  const job: SimJob & { postcopyAllowed?: boolean } = {
    type: "Unbounded",
    operation: "Outgoing migration",
    startedAt: Date.now(),
    processed: 0,
    remaining: total,
    total,
    bandwidthBps: 0,
    dirtyPagesPerSec: 0,
    iteration: 1,
    expectedDowntimeMs: maxDowntime(),
    postcopyAllowed: args.includes("--postcopy"),
  };
  dom.job = job;
  // the target holds a paused copy while memory streams in (libvirt lists it under the same name), in place of its
  // definition there, which comes back if the migration fails
  if (defined) dst.domains.splice(dst.domains.indexOf(defined), 1);
  const incoming = world.addDomain(dst.name, {
    ...dom,
    state: "paused",
    job: undefined,
    persistent: false,
    domid: dst.nextDomid,
  });
  dst.nextDomid = Math.max(dst.nextDomid, incoming.domid + 1);
  const cut = world.takeFault("link-cut", dom.name);
  if (cut?.during === "reservation") {
    // the source's link to the target went down while the target prepared (the real lab, libvirt 9.0 / QEMU 7.2):
    // virsh waits on a connection that no longer answers, libvirt on the source has no migration job left, and the
    // target keeps its paused incoming copy (in place of a definition of the same UUID) until its own side gives up —
    // minutes later in the lab; never here. virsh ends when it is interrupted.
    dom.job = undefined;
    incoming.pauseReason = "migrating";
    incoming.persistent = defined !== undefined;
    world.emit("change", src.name);
    world.emit("change", dst.name);
    while (!io.interrupt?.aborted && !io.signal.aborted) await sleep(world, TICK_MS);
    return fail("operation aborted: job 'migration out' canceled by client");
  }
  const link = world.linkKey(src.name, dst.name);
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 0) + 1);
  const crash = world.takeFault("domain-crash", dom.name);
  const verbose = args.includes("--verbose");
  const autoConverge = args.includes("--auto-converge");
  const wws = Math.max(PAGE, dom.workload.wwsMiB * MiB);
  let lastReport = 0;
  let passLeft = total;
  let dirtied = 0;
  let lastRemainingAtSync = total;
  let downtimeMs = 0;
  let pausedAt: number | null = null;
  let postcopyAt: number | null = null;
  const cleanup = (leavePaused = false) => {
    world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);
    const i = dst.domains.indexOf(incoming);
    if (i >= 0 && postcopyAt === null) dst.domains.splice(i, 1, ...(defined ? [defined] : []));
    dom.job = undefined;
    if (dom.state === "paused" && leavePaused) dom.pauseReason = "migrating";
    else if (dom.state === "paused") dom.state = "running";
    world.emit("change", src.name);
    world.emit("change", dst.name);
  };
  try {
    // the disks first (an abort or a lost libvirtd stops the copy; the loop below says so)
    if (disks.copies.length)
      await copyDisks(
        world,
        job,
        disks.copies,
        () =>
          Math.min(world.bandwidth(src.name, dst.name) / Math.max(1, world.activeTransfers.get(link) ?? 1), limitBps()),
        async () => {
          await sleep(world, TICK_MS);
        },
        () => Boolean(job.abort || io.interrupt?.aborted || src.libvirtdDown || dst.libvirtdDown),
      );
    for (;;) {
      // an abort works until post-copy starts (then the target already runs the guest)
      if ((job.abort || io.interrupt?.aborted) && postcopyAt === null) {
        if (pausedAt !== null && disks.copies.length && world.takeFault("cancel-missed", dom.name)) {
          // QEMU 7.2 missed the cancel at the switchover: the guest stays paused and libvirt's job runs until a
          // migrate-continue arrives, whether or not virsh is still there to wait for it; the target's QEMU, its
          // stream shut, is gone (the lab: the target held nothing)
          job.cancelling = true;
          const i = dst.domains.indexOf(incoming);
          if (i >= 0) dst.domains.splice(i, 1, ...(defined ? [defined] : []));
          world.emit("change", dst.name);
          while (!job.continued && !io.signal.aborted) await sleep(world, TICK_MS);
          if (!job.continued) {
            void (async () => {
              while (!job.continued) await sleep(world, TICK_MS);
              cleanup();
              dom.pauseReason = "unpaused";
            })();
            return 1;
          }
          dom.pauseReason = "unpaused";
        }
        cleanup();
        return fail("operation aborted: job 'migration out' canceled by client");
      }
      // libvirtd killed on either end: virsh loses its connection; the restarted libvirtd cancels the outgoing
      // migration and the guest goes on running on the source (before post-copy)
      if ((src.libvirtdDown || dst.libvirtdDown) && postcopyAt === null) {
        cleanup();
        return fail(`Disconnected from qemu:///system due to end of file`);
      }
      if (crash && job.processed > total * 0.3) {
        // the guest's QEMU died: libvirt keeps a persistent domain's definition (shut off, as `virsh list --all`
        // shows it after a crash) and forgets a transient one
        if (dom.persistent) {
          dom.state = "shutoff";
          dom.domid = -1;
          dom.stopReason = "crashed";
        } else src.domains.splice(src.domains.indexOf(dom), 1);
        cleanup();
        return fail("operation failed: domain is no longer running");
      }
      if (
        (cut && cut.during === "precopy" && job.processed > total * 0.3) ||
        (cut && cut.during === "stop-and-copy" && dom.state === "paused")
      ) {
        // a link lost while the guest is stopped for the last copy: the client-driven migration fails and libvirt
        // leaves the source paused ("paused (migrating)", no job) — as the lab's real libvirt 9.0 did
        cleanup(dom.state === "paused");
        return fail("operation failed: job 'migration out' unexpectedly failed");
      }
      if (job.postcopy && postcopyAt === null) {
        // post-copy: the guest stops here and resumes on the target at once; the rest follows on demand
        postcopyAt = Date.now();
        dom.state = "paused";
        await sleep(world, 20);
        incoming.state = "running";
        downtimeMs = 20;
        world.emit("change", dst.name);
      }
      const bps = Math.min(
        world.bandwidth(src.name, dst.name) / Math.max(1, world.activeTransfers.get(link) ?? 1),
        limitBps(),
      );
      await sleep(world, TICK_MS);
      const dt = TICK_MS / 1000;
      const chunk = Math.min(passLeft, bps * dt);
      passLeft -= chunk;
      job.processed += chunk;
      src.txBytes += Math.round(chunk);
      dst.rxBytes += Math.round(chunk);
      const dirtyBps =
        postcopyAt !== null || dom.state === "paused"
          ? 0
          : dom.workload.dirtyMiBps * MiB * (1 - (job.throttlePercent ?? 0) / 100);
      dirtied = Math.min(wws, dirtied + dirtyBps * dt);
      job.bandwidthBps = bps;
      job.dirtyPagesPerSec = Math.round(dirtyBps / PAGE);
      // the dirty bitmap: what this pass has still to send plus what was dirtied again (pages, so at most the
      // working set once the first full pass is done, and never more than the guest's memory)
      const cap = job.iteration === 1 ? total : Math.max(wws, passLeft);
      job.remaining = Math.round(Math.min(cap, passLeft + (postcopyAt === null ? dirtied : 0)));
      if (verbose && Date.now() - lastReport >= 500 / world.timeScale) {
        progress(io, "Migration", job);
        lastReport = Date.now();
      }
      if (passLeft > 0) continue;
      if (dom.state === "paused" || postcopyAt !== null) break; // the final (paused / post-copy) pass is done
      // end of a pass: sync the dirty bitmap (a new iteration), then stop if what is left fits the downtime
      job.iteration++;
      passLeft = dirtied;
      dirtied = 0;
      job.expectedDowntimeMs = Math.round((passLeft / bps) * 1000);
      if (job.expectedDowntimeMs <= maxDowntime()) {
        dom.state = "paused";
        world.emit("change", src.name);
        pausedAt = Date.now();
        passLeft += 256 * 1024; // device state
      } else if (autoConverge && job.iteration >= 3 && passLeft > lastRemainingAtSync * 0.9) {
        job.throttlePercent = job.throttlePercent ? Math.min(99, job.throttlePercent + 10) : 20;
      }
      lastRemainingAtSync = passLeft;
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  if (pausedAt !== null) downtimeMs = Math.round((Date.now() - pausedAt) * world.timeScale) + 5;
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);
  commitDiskCopies(world, dst, disks.copies);
  // commit: the target's copy runs; the source's goes (--undefinesource) or stays defined, shut off
  incoming.state = "running";
  incoming.persistent = args.includes("--persistent") || (defined !== undefined && defined.persistent !== false);
  incoming.cpuSecondsBase = world.cpuSeconds(dom);
  incoming.startedAt = dom.startedAt;
  incoming.maxDowntimeMs = undefined;
  const done: SimJob = {
    ...job,
    type: "Completed",
    operation: "Incoming migration",
    endedAt: Date.now(),
    remaining: 0,
    expectedDowntimeMs: 0,
    downtimeMs,
    abort: undefined,
  };
  dst.completedJobs ??= new Map();
  dst.completedJobs.set(dom.name, done);
  dom.job = undefined;
  if (args.includes("--undefinesource") || dom.persistent === false) src.domains.splice(src.domains.indexOf(dom), 1);
  else {
    dom.state = "shutoff";
    dom.domid = -1;
  }
  if (verbose) progress(io, "Migration", job, true);
  world.emit("change", src.name);
  world.emit("change", dst.name);
  return 0;
}

export type { SimHost };
