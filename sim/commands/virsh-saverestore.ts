import type { CommandIO } from "../sh/run";
import type { SimJob, World } from "../world";
import { DISK_BPS, LIBVIRT_MAGIC, libvirtSaveHead, MiB, positional, progress, sleep } from "./virsh-jobs";

// virsh save / restore on simulated libvirt hosts (reference §3.4, libvirt 9.0 texts as the lab printed them): the
// image written at disk speed, its progress in `virsh domjobinfo` (Operation "Save"), a restore that takes a definition
// of the same UUID. Split from virsh-jobs.ts (the migration).

const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

export async function virshSave(world: World, hostName: string, args: string[], io: CommandIO): Promise<number> {
  const [domArg, file] = positional(args, ["--xml"]);
  if (!domArg || !file) {
    io.err("error: command 'save' requires <domain> and <file> options\n");
    return 1;
  }
  const host = world.host(hostName);
  const dom = host.domains.find((d) => d.name === domArg);
  if (!dom) {
    io.err(`error: failed to get domain '${domArg}'\n`);
    return 1;
  }
  const failed = (msg: string) => {
    io.err(`error: Failed to save domain '${dom.name}' to ${file}\nerror: ${msg}\n`);
    return 1;
  };
  if (dom.state === "shutoff") return failed("Requested operation is not valid: domain is not running");
  const at = world.locatePath(hostName, file);
  if (!at || !host.dirs[dirname(file)]) return failed(`Failed to create file '${file}': No such file or directory`);
  const head = libvirtSaveHead(dom);
  const total = dom.memoryMiB * MiB;
  const job: SimJob = {
    type: "Unbounded",
    operation: "Save",
    startedAt: Date.now(),
    processed: 0,
    remaining: total,
    total,
    bandwidthBps: DISK_BPS,
    dirtyPagesPerSec: 0,
    iteration: 1,
    expectedDowntimeMs: 0,
  };
  dom.job = job;
  dom.state = "paused";
  const fault = world.takeFault("disk-full", dom.name);
  const existing = world.files.get(at.key);
  if (existing) world.chargeSpace(at.mount, -Math.ceil(existing.size / 1024));
  const f = { head, size: head.length, mode: 0o600, owner: "root", mtime: Date.now() };
  world.files.set(at.key, f);
  let lastReport = 0;
  while (job.remaining > 0) {
    const step = Math.min(job.remaining, 4 * MiB);
    await sleep(world, (step / DISK_BPS) * 1000);
    const free = (at.mount.totalKiB - at.mount.usedKiB) * 1024;
    if (free < step || (fault && ((job.processed + step) * 100) / total >= fault.atPercent)) {
      world.files.delete(at.key);
      world.chargeSpace(at.mount, -Math.ceil(f.size / 1024));
      dom.job = undefined;
      dom.state = "running";
      return failed(
        `operation failed: /usr/libexec/libvirt_iohelper: failure with ${file}: Unable to write ${file}: No space left on device`,
      );
    }
    job.processed += step;
    job.remaining -= step;
    f.size += step;
    world.chargeSpace(at.mount, step / 1024);
    if (args.includes("--verbose") && Date.now() - lastReport >= 500 / world.timeScale) {
      progress(io, "Save", job);
      lastReport = Date.now();
    }
  }
  if (args.includes("--verbose")) progress(io, "Save", job, true);
  f.mtime = Date.now();
  dom.job = undefined;
  if (dom.persistent === false) host.domains.splice(host.domains.indexOf(dom), 1);
  else {
    dom.state = "shutoff";
    dom.domid = -1;
  }
  io.out(`\nDomain '${dom.name}' saved to ${file}\n`);
  world.emit("change", hostName);
  return 0;
}

export async function virshRestore(world: World, hostName: string, args: string[], io: CommandIO): Promise<number> {
  const [file] = positional(args, ["--xml"]);
  if (!file) {
    io.err("error: command 'restore' requires <file> option\n");
    return 1;
  }
  const failed = (msg: string) => {
    io.err(`error: Failed to restore domain from ${file}\nerror: ${msg}\n`);
    return 1;
  };
  const host = world.host(hostName);
  const f = world.file(hostName, file);
  if (!f) return failed(`Failed to open file '${file}': No such file or directory`);
  if (f.head.subarray(0, 16).toString("latin1") !== LIBVIRT_MAGIC)
    return failed("operation failed: image magic is incorrect");
  const xml = f.head.subarray(92).toString("utf8");
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? "";
  const memoryMiB = Math.round(Number(/<memory unit='KiB'>(\d+)</.exec(xml)?.[1] ?? 0) / 1024);
  if (f.size < f.head.length + memoryMiB * MiB) return failed("operation failed: failed to read qemu header");
  if (host.domains.some((d) => d.name === name && d.state !== "shutoff"))
    return failed(`Requested operation is not valid: domain '${name}' is already active`);
  if (world.freeMemoryMiB(host) < memoryMiB)
    return failed(
      "internal error: process exited while connecting to monitor: qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory",
    );
  // libvirt starts the domain (paused, QEMU -incoming) before it reads the image: it is active from here on,
  // so a second restore of the same name is refused while this one runs
  const defined = host.domains.find((d) => d.name === name && d.state === "shutoff");
  const uuid = /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1];
  // libvirt takes a definition of the same name only with the same UUID (it stays persistent: the restored domain is)
  if (defined && uuid && defined.uuid !== uuid)
    return failed(`operation failed: domain '${name}' already exists with uuid ${defined.uuid}`);
  const dom =
    defined ??
    world.addDomain(hostName, {
      name,
      memoryMiB,
      uuid,
      vcpus: Number(/<vcpu[^>]*>(\d+)</.exec(xml)?.[1] ?? 1),
      state: "paused",
      persistent: false,
      disks: [...xml.matchAll(/<source file='([^']+)'\/>\s*<target dev='([^']+)'/g)].map((mm) => ({
        target: mm[1],
        vdev: mm[2],
      })),
    });
  if (defined) {
    defined.state = "paused";
    defined.domid = host.nextDomid++;
  }
  await sleep(world, ((memoryMiB * MiB) / DISK_BPS) * 1000);
  dom.state = "running";
  dom.startedAt = Date.now();
  io.out(`Domain restored from ${file}\n`);
  world.emit("change", hostName);
  return 0;
}
