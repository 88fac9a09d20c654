import { createHash } from "node:crypto";
import type { CommandIO } from "../sh/run";
import type { SimDomain, World } from "../world";
import { domainConfig } from "./xl-config";

// `xl save [-c] [-p] <Domain> <file>` and `xl restore [-p] [-e] <file>` (xl_saverestore.c; reference §1.5).
// The file holds xl's 48-byte header and the domain's JSON config; its size is the header plus the
// domain's memory (the rest reads as zeros). Progress goes to stderr in ~5 % steps, as without a tty.

export const XL_MAGIC = Buffer.from("Xen saved domain, xl format\n \0 \r", "latin1");
const DISK_BPS = 400 * 1024 * 1024;

export function saveFileHead(config: object): Buffer {
  const json = Buffer.from(`${JSON.stringify(config, null, 4)}\0`, "utf8");
  const h = Buffer.alloc(48 + 4);
  XL_MAGIC.copy(h, 0);
  h.writeUInt32LE(0x01020304, 32);
  h.writeUInt32LE(0x3, 36);
  h.writeUInt32LE(0, 40);
  h.writeUInt32LE(4 + json.length, 44);
  h.writeUInt32LE(json.length, 48);
  return Buffer.concat([h, json]);
}

const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

export async function xlSave(world: World, hostName: string, args: string[], io: CommandIO): Promise<number> {
  const flags = new Set<string>();
  const pos: string[] = [];
  for (const a of args) {
    if (/^-[cpD]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
    else if (a.startsWith("-") && a.length > 1) {
      io.err(`option \`${a[1]}' not supported.\n`);
      return 2;
    } else pos.push(a);
  }
  if (pos.length < 2) {
    // the complaint on stderr, the command's help on stdout (real Xen 4.17: fixtures/xen417/save-noargs.*)
    io.err("'xl save' requires at least 2 arguments.\n\n");
    io.out(
      "Usage: xl [-vtTf] save [options] <Domain> <CheckpointFile> [<ConfigFile>]\n\nSave a domain state to restore later.\n\nOptions:\n\n-h  Print this help.\n-c  Leave domain running after creating the snapshot.\n-p  Leave domain paused after creating the snapshot.\n-D  Store the domain id in the configuration.\n",
    );
    return 2;
  }
  const [domArg, file] = pos;
  const host = world.host(hostName);
  const dom = /^\d+$/.test(domArg)
    ? host.domains.find((d) => d.domid === Number(domArg))
    : host.domains.find((d) => d.name === domArg);
  if (!dom) {
    io.err(
      /^\d+$/.test(domArg)
        ? `Error: Domain '${domArg}' does not exist.\n`
        : `${domArg} is an invalid domain identifier (rc=-6)\n`,
    );
    return 1;
  }
  const at = world.locatePath(hostName, file);
  if (!at || !host.dirs[dirname(file)]) {
    io.err(`Failed to open temp file ${file} for writing\n`);
    return 1;
  }
  const head = saveFileHead({ ...domainConfig(dom), c_info: { ...domainConfig(dom).c_info } });
  io.err(`Saving to ${file} new xl format (info 0x3/0x0/${head.length - 52})\n`);
  io.err(`xc: info: Saving domain ${dom.domid}, type x86 PV\n`);
  const was = dom.state;
  dom.state = "suspended";
  const total = Math.ceil((dom.memoryMiB * 1024 * 1024) / 4096);
  const fault = world.takeFault("disk-full", dom.name);
  const existing = world.files.get(at.key);
  if (existing) world.chargeSpace(at.mount, -Math.ceil(existing.size / 1024));
  const f = { head, size: head.length, mode: 0o644, owner: "root", mtime: Date.now() };
  world.files.set(at.key, f);
  world.chargeSpace(at.mount, Math.ceil(head.length / 1024));
  let done = 0;
  let lastPct = 0;
  while (done < total) {
    // libxenguest reports every 1024 pages; xtl prints a report when the percentage rose by ≥ 5
    const step = Math.min(total - done, 1024);
    await new Promise((r) => setTimeout(r, (step * 4096 * 1000) / DISK_BPS / world.timeScale));
    const free = (at.mount.totalKiB - at.mount.usedKiB) * 1024;
    const pctNext = Math.floor(((done + step) * 100) / total);
    if (free < step * 4096 || (fault && pctNext >= fault.atPercent)) {
      io.err("xc: error: Failed to write page data to stream (28 = No space left on device): Internal error\n");
      io.err("xc: error: Save failed (28 = No space left on device): Internal error\n");
      io.err("Failed to save domain, resuming domain\n");
      dom.state = was;
      return 1;
    }
    done += step;
    f.size += step * 4096;
    world.chargeSpace(at.mount, (step * 4096) / 1024);
    const pct = Math.floor((done * 100) / total);
    if (pct - lastPct >= 5 || done === total) {
      io.err(`xc: progress: Frames: ${done}/${total}  ${String(pct).padStart(3)}%\n`);
      lastPct = pct;
    }
  }
  io.err("xc: progress: End of stream: 0/0    0%\n");
  f.mtime = Date.now();
  if (flags.has("c")) dom.state = was;
  else if (flags.has("p")) dom.state = "paused";
  else host.domains.splice(host.domains.indexOf(dom), 1);
  world.emit("change", hostName);
  return 0;
}

export async function xlRestore(world: World, hostName: string, args: string[], io: CommandIO): Promise<number> {
  const flags = new Set<string>();
  const pos: string[] = [];
  for (const a of args) {
    if (/^-[pedFcVA]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
    else if (a.startsWith("-") && a.length > 1) {
      io.err(`option \`${a[1]}' not supported.\n`);
      return 2;
    } else pos.push(a);
  }
  const file = pos.at(-1);
  if (!file) {
    // as `xl save` does (its help text written from xl_cmdtable.c, Xen 4.17)
    io.err("'xl restore' requires at least 1 argument.\n\n");
    io.out(
      "Usage: xl [-vtTf] restore [options] [<ConfigFile>] <CheckpointFile>\n\nRestore a domain from a saved state.\n\nOptions:\n\n-h                       Print this help.\n-p                       Do not unpause domain after restoring it.\n-e                       Do not wait in the background for the death of the domain.\n-d                       Enable debug messages.\n-V, --vncviewer          Connect to the VNC display after the domain is created.\n-A, --vncviewer-autopass Pass VNC password to viewer via stdin.\n",
    );
    return 2;
  }
  const host = world.host(hostName);
  const f = world.file(hostName, file);
  if (!f) {
    io.err("Can't open restore file: No such file or directory\n");
    return 1;
  }
  if (!f.head.subarray(0, 32).equals(XL_MAGIC)) {
    io.err("File has wrong magic number - corrupt or for a different tool?\n");
    return 1;
  }
  const len = f.head.readUInt32LE(48);
  const config = JSON.parse(f.head.subarray(52, 52 + len - 1).toString("utf8"));
  const memoryMiB = Math.round((config.b_info?.max_memkb ?? 0) / 1024);
  if (f.size < f.head.length + memoryMiB * 1024 * 1024) {
    io.err("Savefile truncated.\n");
    return 1;
  }
  io.err(`Loading new save file ${file} (new xl fmt info 0x3/0x0/${len})\n`);
  io.err(" Savefile contains xl domain config in JSON format\n");
  io.err("Parsing config from <saved>\n");
  if (host.domains.some((d) => d.name === config.c_info.name)) {
    io.err(
      `libxl: error: libxl_domain.c:61:libxl__domain_rename: Domain ${host.nextDomid}:domain with name "${config.c_info.name}" already exists.\n`,
    );
    io.err(
      "libxl: error: libxl_create.c:1210:initiate_domain_create: Domain " +
        host.nextDomid +
        ":cannot make domain: -6\n",
    );
    return 1;
  }
  if (world.freeMemoryMiB(host) < memoryMiB) {
    io.err(
      `libxl: error: libxl_create.c:711:libxl__domain_make: Domain ${host.nextDomid}:cannot allocate memory for the domain: Cannot allocate memory\n`,
    );
    return 1;
  }
  io.err(`xc: info: Found x86 PV domain from Xen ${host.xenVersion.split(".").slice(0, 2).join(".")}\n`);
  io.err("xc: info: Restoring domain\n");
  // libxl creates the domain (paused, under its name) before reading its memory: a second restore of the
  // same name meanwhile fails with "already exists", and `xl list` shows it paused until the restore ends
  const dom: SimDomain = world.addDomain(hostName, {
    name: config.c_info.name,
    uuid: config.c_info.uuid,
    memoryMiB,
    vcpus: config.b_info?.max_vcpus ?? 1,
    kernel: config.b_info?.kernel ?? "",
    disks: (config.disks ?? []).map((d: { pdev_path: string; vdev: string }) => ({
      target: d.pdev_path,
      vdev: d.vdev,
    })),
    state: "paused",
  });
  const bytes = memoryMiB * 1024 * 1024;
  await new Promise((r) => setTimeout(r, ((bytes / DISK_BPS) * 1000) / world.timeScale));
  dom.state = flags.has("p") ? "paused" : "blocked";
  dom.startedAt = Date.now();
  world.emit("change", hostName);
  io.err("xc: info: Restore successful\n");
  io.err(`xc: info: XenStore: mfn 0x${(0x3fb808 + dom.domid).toString(16)}, dom 0, evt 1\n`);
  io.err(`xc: info: Console: mfn 0x${(0x3fb8e7 + dom.domid).toString(16)}, dom 0, evt 2\n`);
  // as the real xl 4.17 does (seen on a real host: e2e/lab/xen.spec.ts): a monitor named `xl restore <file>` stays
  if (!flags.has("e")) world.addMonitor(hostName, ["xl", "restore", ...args], dom.domid);
  return 0;
}

/** sha256 of a simulated file: its head, then zeros up to its size (streamed, as sha256sum reads it). */
export function sha256OfFile(f: { head: Buffer; size: number; apparent?: number }): string {
  const h = createHash("sha256").update(f.head);
  const zeros = Buffer.alloc(1 << 20);
  let left = (f.apparent ?? f.size) - f.head.length;
  while (left > 0) {
    const n = Math.min(left, zeros.length);
    h.update(n === zeros.length ? zeros : zeros.subarray(0, n));
    left -= n;
  }
  return h.digest("hex");
}
