import path from "node:path";
import type { CommandRunner, DiskCopy } from "../toolstacks/types";
import { freeKiB, hostArgv, parseDf } from "../toolstacks/linux/host-commands";
import { fileExists, readDiskFile } from "../toolstacks/linux/disk-file";
import type { HostView } from "../inventory/types";
import { formatBytes } from "../format-bytes";
import { toAppError } from "../errors";
import type { Check, MigrationCheckInput } from "./migration";

// A live migration's disks: each on storage the target sees at the same path (shared: nothing to copy), or on the
// source's own storage — then copied with the memory where the toolstack can (libvirt's --copy-storage-all), into a
// file Ferry creates on the target at the same path, never over one that is there. A disk layered on a backing file
// (a qcow2 overlay) is copied only where the target sees that backing file at the same path too: its copy is made
// over the same backing file and only the overlay moves (--copy-storage-inc).

/** One disk and its way to the target: shared, or copied (with what the copy needs to know). */
export interface DiskPlan {
  path: string;
  vdev: string;
  shared: boolean;
  /** the copy, for a disk that is not shared and can be copied */
  copy?: DiskCopy;
  /** a disk that is not shared and is a qcow2 overlay: its base, and whether the target sees it at the same path */
  layeredOn?: { path: string; shared: boolean };
}

/** Room a copy needs beyond the bytes the disk takes on the source (a qcow2 copy's metadata, the guest's writes meanwhile) */
const ROOM_FACTOR = 1.1;

/** A host that did not answer (a timeout, a lost connection): why; it says nothing about where a disk lives. */
interface Unanswered {
  unanswered: string;
}
const isUnanswered = (x: unknown): x is Unanswered => typeof x === "object" && x !== null && "unanswered" in x;

/** `df -P [path]`'s mounts; null when df refused the path (it is on no mount there). */
async function mounts(
  runner: CommandRunner,
  path?: string,
): Promise<{ device: string; mount: string }[] | null | Unanswered> {
  let r: Awaited<ReturnType<CommandRunner["exec"]>>;
  try {
    r = await runner.exec(hostArgv.df(path), { timeoutMs: 8_000 });
  } catch (e) {
    return { unanswered: toAppError(e).message };
  }
  return r.code === 0 ? parseDf(r.stdout) : null;
}

/** Where a path really lives: on an NFS server's export, or on one host's own disk. */
interface Place {
  server: string;
  path: string;
}
const nfs = (device: string) =>
  /^[^/]+:\//.test(device)
    ? { server: device.slice(0, device.indexOf(":")), path: device.slice(device.indexOf(":") + 1) }
    : null;
const under = (base: string, rest: string) => (rest ? `${base.replace(/\/$/, "")}${rest}` : base);

/** An NFS server named by address or name is one of the two hosts when that host answers to it. */
function serverId(server: string, hosts: HostView[]): string {
  const h = hosts.find(
    (x) => x.address === server || x.facts?.hostname === server || (x.facts?.addresses ?? []).includes(server),
  );
  return h ? `host:${h.id}` : `nfs:${server}`;
}

async function placeOf(
  runner: CommandRunner,
  host: HostView,
  path: string,
  hosts: HostView[],
): Promise<Place | null | Unanswered> {
  const direct = nfs(path);
  if (direct) return { server: serverId(direct.server, hosts), path: direct.path };
  const found = await mounts(runner, path);
  if (isUnanswered(found)) return found;
  const m = found?.[0];
  if (!m) return null;
  const remote = nfs(m.device);
  if (remote) return { server: serverId(remote.server, hosts), path: under(remote.path, path.slice(m.mount.length)) };
  // the host's own disk; "/" is never shared
  return m.mount === "/" ? { server: `root:${host.id}`, path } : { server: `host:${host.id}`, path };
}

/**
 * Whether the target sees the disk at the same path, on the same storage as the source — or, when either host did
 * not answer, why Ferry cannot tell (a host that did not answer is not a disk on local storage).
 */
async function sharedWithTarget(i: MigrationCheckInput, diskPath: string): Promise<boolean | Unanswered> {
  const hosts = [i.source, i.target];
  const here = await placeOf(i.sourceRunner, i.source, diskPath, hosts);
  if (isUnanswered(here)) return { unanswered: `${i.source.name}: ${here.unanswered}` };
  const targetMounts = async () => {
    const all = await mounts(i.targetRunner);
    return isUnanswered(all) ? all : all?.some((m) => m.device === diskPath) ? here : null;
  };
  // an NFS root the guest mounts itself (server:/export): the target must be that server or mount that export
  const there = nfs(diskPath)
    ? here?.server === `host:${i.target.id}`
      ? here
      : await targetMounts()
    : await placeOf(i.targetRunner, i.target, diskPath, hosts);
  if (isUnanswered(there)) return { unanswered: `${i.target.name}: ${there.unanswered}` };
  return (
    here !== null &&
    there !== null &&
    here.server === there.server &&
    here.path === there.path &&
    !here.server.startsWith("root:")
  );
}

/** A disk the target does not see, read for its copy: the copy, or why it cannot be made. */
async function planCopy(i: MigrationCheckInput, disk: DiskPlan): Promise<DiskCopy | string> {
  const t = i.target.name;
  const file = await readDiskFile(i.sourceRunner, disk.path);
  if (typeof file === "string") return `Ferry could not read ${disk.path} on ${i.source.name}: ${file}.`;
  if (file.backing) {
    const shared = await sharedWithTarget(i, file.backing.path);
    if (isUnanswered(shared))
      return `Ferry could not tell whether ${t} sees its backing file ${file.backing.path} (${shared.unanswered}).`;
    disk.layeredOn = { path: file.backing.path, shared };
  }
  if (disk.layeredOn && !disk.layeredOn.shared)
    return `${disk.path} is layered on ${disk.layeredOn.path}, which ${t} does not see at the same path: Ferry copies an overlay only onto the same backing file (put it on storage both hosts share, or flatten the disk first).`;
  const there = await fileExists(i.targetRunner, disk.path);
  if (there === null) return `Ferry could not ask ${t} whether ${disk.path} is free.`;
  if (there) return `${t} already has a file at ${disk.path}: Ferry does not write over it.`;
  const dir = path.posix.dirname(disk.path);
  const free = await freeKiB(i.targetRunner, dir);
  if (free === null) return `${t} has no directory ${dir} to copy ${disk.vdev} into.`;
  const need = Math.ceil(file.allocatedBytes * ROOM_FACTOR);
  if (free * 1024 < need)
    return `${t} has ${formatBytes(free * 1024)} free in ${dir}; the copy of ${disk.vdev} needs ${formatBytes(need)}.`;
  return {
    path: disk.path,
    vdev: disk.vdev,
    format: file.format,
    virtualBytes: file.virtualBytes,
    allocatedBytes: file.allocatedBytes,
    ...(file.backing ? { backing: file.backing } : {}),
  };
}

/**
 * Every disk must be on storage the target sees at the same path, or copied with the memory where the toolstack can.
 * Both ends' paths are traced to where they live (an NFS export, or a host's own disk), so a domain can move between
 * two clients of one server, from a client onto the server, and from the server onto a client.
 */
export async function checkStorage(i: MigrationCheckInput): Promise<{ check: Check; disks: DiskPlan[] }> {
  const label = "Storage visible on the target";
  const check = (status: Check["status"], reason: string): Check => ({ id: "storage", label, status, reason });
  if (i.domain.disks.length === 0) {
    // libvirt's domblklist is the whole list of block devices: none means nothing on disk moves
    return {
      disks: [],
      check: i.source.capabilities.completeDiskList
        ? check("ok", "The domain has no disks (virsh domblklist): only memory and device state move.")
        : check("warn", "The domain's config lists no disks, so Ferry cannot check its storage."),
    };
  }
  const disks: DiskPlan[] = [];
  for (const disk of i.domain.disks) {
    const shared = await sharedWithTarget(i, disk.path);
    if (isUnanswered(shared))
      return {
        disks,
        check: check(
          "fail",
          `Ferry could not tell whether ${disk.path} (${disk.vdev}) is on storage ${i.target.name} shares: ${shared.unanswered}`,
        ),
      };
    disks.push({ ...disk, shared });
  }
  const local = disks.filter((d) => !d.shared);
  if (!local.length)
    return { disks, check: check("ok", `${disks.map((d) => d.path).join(", ")} — shared with ${i.target.name}.`) };
  const names = local.map((d) => `${d.path} (${d.vdev})`).join(", ");
  if (!i.source.capabilities.liveDiskCopy)
    return { disks, check: check("fail", `Not on shared storage that ${i.target.name} mounts: ${names}.`) };
  const why: string[] = [];
  for (const d of local) {
    const copy = await planCopy(i, d);
    if (typeof copy === "string") why.push(copy);
    else d.copy = copy;
  }
  if (why.length) return { disks, check: check("fail", `${names} must be copied: ${why.join(" ")}`) };
  const copies = local.map(
    (d) =>
      `${d.vdev} (${d.path}, ${d.copy!.format}, ${formatBytes(d.copy!.allocatedBytes)} in use of ${formatBytes(d.copy!.virtualBytes)}${d.copy!.backing ? `; over ${d.copy!.backing.path}, shared: only the overlay moves` : ""})`,
  );
  return {
    disks,
    check: check(
      "ok",
      `Copied live to the same path on ${i.target.name}, before the memory: ${copies.join(", ")}.${
        disks.length > local.length
          ? ` Shared: ${disks
              .filter((d) => d.shared)
              .map((d) => d.path)
              .join(", ")}.`
          : ""
      }`,
    ),
  };
}

/** The disks a checked migration copies (for the job and the forecast). */
export const copiesOf = (disks: DiskPlan[]): DiskCopy[] => disks.flatMap((d) => (d.copy ? [d.copy] : []));
