import type { CommandIO } from "../sh/run";
import type { SimDomain, SimHost, World } from "../world";

// `xl migrate [options] <Domain> <host>` (xl_migrate.c; lib/toolstacks/REFERENCE.md §1.6–1.7).
// The simulated source reaches the target inside the world instead of through ssh, with xl's exact
// message sequence (its "successsfully" included), the --incoming / --migratedaway names during the
// handshake, no progress output, and Xen's pre-copy policy: at most 5 live rounds, stop below 50 dirty
// pages, then one paused round. Bytes go onto the source's NIC counter as they are sent.
// Like a real xl whose ssh session dies, a migration carries on when the SSH channel closes; SIGINT
// (an SSH "signal" request) aborts it before the point of no return.

const PAGE = 4096;
const MAX_LIVE_ROUNDS = 5;
const TARGET_DIRTY_PAGES = 50;
const TICK_MS = 20;

class LinkCut extends Error {}
class Interrupted extends Error {}

export async function xlMigrate(world: World, srcName: string, args: string[], io: CommandIO): Promise<number> {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--live" || a === "--debug") continue;
    if (a === "-s" || a === "-C") {
      i++;
      continue;
    }
    if (/^-[epDF]+$/.test(a)) continue;
    if (a.startsWith("-") && a.length > 1) {
      io.err(`option \`${a.startsWith("--") ? "\0" : a[1]}' not supported.\n`);
      return 2;
    }
    positional.push(a);
  }
  if (positional.length < 2) {
    // the complaint on stderr, the command's help on stdout (real Xen 4.17: fixtures/xen417/migrate-noargs.*)
    io.err("'xl migrate' requires at least 2 arguments.\n\n");
    io.out(
      "Usage: xl [-vtTf] migrate [options] <Domain> <host>\n\nMigrate a domain to another host.\n\nOptions:\n\n-h              Print this help.\n-C <config>     Send <config> instead of config file from creation.\n-s <sshcommand> Use <sshcommand> instead of ssh.  String will be passed\n                to sh. If empty, run <host> instead of ssh <host> xl\n                migrate-receive [-d -e]\n-e              Do not wait in the background (on <host>) for the death\n                of the domain.\n--debug         Print huge (!) amount of debug during the migration process.\n-p              Do not unpause domain after migrating it.\n-D              Preserve the domain id\n",
    );
    return 2;
  }
  const [domArg, hostArg] = positional;
  const src = world.host(srcName);
  const dom = /^\d+$/.test(domArg)
    ? src.domains.find((d) => d.domid === Number(domArg))
    : src.domains.find((d) => d.name === domArg);
  if (!dom) {
    io.err(
      /^\d+$/.test(domArg)
        ? `Error: Domain '${domArg}' does not exist.\n`
        : `${domArg} is an invalid domain identifier (rc=-6)\n`,
    );
    return 1;
  }
  const dst = world.resolve(hostArg);
  const transportFailed = (sshMessage: string) => {
    io.err(`${sshMessage}\n`);
    io.err(
      "libxl: error: libxl_utils.c:183:libxl_read_exactly: file/stream truncated reading banner from migration receiver stream\n",
    );
    io.err(
      `libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${4000 + dom.domid}] exited with error status 255\n`,
    );
    return 1;
  };
  if (!dst) return transportFailed(`ssh: Could not resolve hostname ${hostArg}: Name or service not known`);
  if (!world.isUp(dst.name)) return transportFailed(`ssh: connect to host ${dst.ip} port 22: Connection refused`);

  const name = dom.name;
  io.err("migration target: Ready to receive domain.\n");
  io.err("Saving to migration stream new xl format (info 0x3/0x0/1444)\n");
  io.err("Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/1444)\n");
  io.err(" Savefile contains xl domain config in JSON format\n");
  io.err("Parsing config from <saved>\n");

  // Phase 1, reservation: the target must hold the whole domain.
  if (world.freeMemoryMiB(dst) < dom.memoryMiB || world.takeFault("target-oom", name)) {
    io.err(
      `libxl: error: libxl_create.c:711:libxl__domain_make: Domain ${dst.nextDomid}:cannot allocate memory for the domain: Cannot allocate memory\n`,
    );
    io.err("migration target: Domain creation failed (code -3).\n");
    io.err("Migration failed, resuming at sender.\n");
    return 1;
  }
  const incoming = world.addDomain(dst.name, {
    ...dom,
    name: `${name}--incoming`,
    state: "paused",
    uuid: dom.uuid,
    domid: dst.nextDomid,
  });
  dst.nextDomid = Math.max(dst.nextDomid, incoming.domid + 1);
  io.err(`xc: info: Saving domain ${dom.domid}, type x86 PV\n`);
  if (world.takeFault("suspend-refused", name)) {
    // what Debian's Xen 4.17 printed for a PV guest (lib/toolstacks/xl/fixtures/xen417/migrate-local.stderr): the
    // sender gives up before a page moves; the target's restore then reads an empty stream; the domain runs on
    removeDomain(dst, incoming);
    const d = dom.domid;
    const t = incoming.domid;
    io.err(
      [
        "xc: error: Failed to enable logdirty: 95,22,0 (22 = Invalid argument): Internal error",
        "xc: error: Save failed (22 = Invalid argument): Internal error",
        `libxl: error: libxl_stream_write.c:347:libxl__xc_domain_save_done: Domain ${d}:saving domain: domain did not respond to suspend request: Invalid argument`,
        "migration sender: libxl_domain_suspend failed (rc=-8)",
        `xc: info: Found x86 PV domain from Xen ${dst.xenVersion.split(".").slice(0, 2).join(".")}`,
        "xc: info: Restoring domain",
        "xc: error: Failed to read Record Header from stream (0 = Success): Internal error",
        "xc: error: Restore failed (0 = Success): Internal error",
        "libxl: error: libxl_stream_read.c:850:libxl__xc_domain_restore_done: restoring domain: Success",
        `libxl: error: libxl_create.c:1640:domcreate_rebuild_done: Domain ${t}:cannot (re-)build domain: -3`,
        `libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain ${t}:Non-existant domain`,
        `libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain ${t}:Unable to destroy guest`,
        `libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain ${t}:Destruction of domain failed`,
        "migration target: Domain creation failed (code -3).",
        `libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${4000 + d}] exited with error status 1`,
        "Migration failed, failed to suspend at sender.",
        "",
      ].join("\n"),
    );
    return 1;
  }
  io.err(`xc: info: Found x86 PV domain from Xen ${dst.xenVersion.split(".").slice(0, 2).join(".")}\n`);
  io.err("xc: info: Restoring domain\n");

  const cutDuring = world.takeFault("link-cut", name)?.during;
  // a cut while the target prepares is modelled for libvirt only (sim/commands/virsh-jobs.ts): refused, not ignored
  if (cutDuring === "reservation")
    throw new Error("the simulated Xen toolstacks do not model a link cut in the reservation");
  const link = world.linkKey(src.name, dst.name);
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 0) + 1);
  let suspended = false;
  try {
    // Phase 2, iterative pre-copy: round 0 sends every page, later rounds what the guest dirtied meanwhile.
    let pages = Math.ceil((dom.memoryMiB * 1024 * 1024) / PAGE);
    const wwsPages = Math.ceil((dom.workload.wwsMiB * 1024 * 1024) / PAGE);
    for (let round = 0; ; round++) {
      const seconds = await send(
        world,
        src,
        dst,
        link,
        pages * PAGE,
        io,
        cutDuring === "precopy" && round === 0 ? 0.3 : null,
      );
      const dirtied = Math.min(wwsPages, Math.ceil((dom.workload.dirtyMiBps * 1024 * 1024 * seconds) / PAGE));
      pages = dirtied;
      if (dirtied < TARGET_DIRTY_PAGES || round + 1 >= MAX_LIVE_ROUNDS) break;
    }
    // Phase 3, stop-and-copy: suspend, send the last dirty pages and the CPU state.
    dom.state = "suspended";
    suspended = true;
    world.emit("change", src.name);
    await send(world, src, dst, link, pages * PAGE + 256 * 1024, io, cutDuring === "stop-and-copy" ? 0.5 : null);
  } catch (e) {
    world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);
    removeDomain(dst, incoming);
    if (e instanceof LinkCut)
      io.err(
        "xc: error: Failed to write page data to stream (32 = Broken pipe): Internal error\nxc: error: Save failed (32 = Broken pipe): Internal error\n",
      );
    io.err("migration sender: libxl_domain_suspend failed (rc=-3)\n");
    io.err("Migration failed, resuming at sender.\n");
    if (suspended) dom.state = "blocked";
    world.emit("change", src.name);
    return 1;
  }
  world.activeTransfers.set(link, (world.activeTransfers.get(link) ?? 1) - 1);

  // Phase 4, commitment: the handshake of xl_migrate.c.
  io.err("xc: info: Restore successful\n");
  io.err(`xc: info: XenStore: mfn 0x${(0x3fb808 + incoming.domid).toString(16)}, dom 0, evt 1\n`);
  io.err(`xc: info: Console: mfn 0x${(0x3fb8e7 + incoming.domid).toString(16)}, dom 0, evt 2\n`);
  io.err("migration target: Transfer complete, requesting permission to start domain.\n");
  await pause(world, 30);
  io.err("migration sender: Target has acknowledged transfer.\n");
  dom.name = `${name}--migratedaway`;
  await pause(world, 30);
  io.err("migration sender: Giving target permission to start.\n");
  if (world.takeFault("target-start-fails", name)) {
    io.err("migration target: Failure, destroying our copy.\n");
    removeDomain(dst, incoming);
    io.err("migration target: Cleanup OK, granting sender permission to resume.\n");
    io.err("migration sender: Target reports startup failure (status code 1).\n");
    io.err("migration sender: Trying to resume at our end.\n");
    dom.name = name;
    dom.state = "blocked";
    io.err("migration sender: Resumed OK.\n");
    io.err("Migration failed due to problems at target.\n");
    world.emit("change", src.name);
    return 1;
  }
  // Phase 5, activation.
  io.err("migration target: Got permission, starting domain.\n");
  await pause(world, 20);
  incoming.name = name;
  incoming.state = "blocked";
  incoming.cpuSecondsBase = world.cpuSeconds(dom);
  incoming.startedAt = dom.startedAt;
  io.err("migration target: Domain started successsfully.\n");
  removeDomain(src, dom);
  io.err("migration sender: Target reports successful startup.\n");
  io.err("Migration successful.\n");
  world.emit("change", dst.name);
  return 0;
}

function removeDomain(host: SimHost, dom: SimDomain) {
  const i = host.domains.indexOf(dom);
  if (i >= 0) host.domains.splice(i, 1);
}

export function pause(world: World, ms: number) {
  return new Promise((r) => setTimeout(r, ms / world.timeScale));
}

/**
 * Sends `bytes` over the link at its bandwidth shared by every transfer on it, in ticks, adding to the
 * NIC counters. `cutAt` (a fraction) cuts the link part way. Returns the (simulated) seconds it took.
 */
export async function send(
  world: World,
  src: SimHost,
  dst: SimHost,
  link: string,
  bytes: number,
  io: CommandIO,
  cutAt: number | null,
): Promise<number> {
  let sent = 0;
  let simSeconds = 0;
  while (sent < bytes) {
    if (io.interrupt?.aborted) throw new Interrupted();
    if (cutAt !== null && sent >= Math.max(1, Math.floor(bytes * cutAt))) throw new LinkCut();
    const share = world.bandwidth(src.name, dst.name) / Math.max(1, world.activeTransfers.get(link) ?? 1);
    const until = cutAt === null ? bytes : Math.max(1, Math.floor(bytes * cutAt));
    const chunk = Math.min(until - sent, (share * TICK_MS) / 1000);
    await new Promise((r) => setTimeout(r, (TICK_MS * (chunk / ((share * TICK_MS) / 1000))) / world.timeScale));
    sent += chunk;
    simSeconds += chunk / share;
    src.txBytes += Math.round(chunk);
    dst.rxBytes += Math.round(chunk);
  }
  return simSeconds;
}
