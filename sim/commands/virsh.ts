import type { CommandFn } from "../sh/run";
import type { SimDomain, SimJob, World } from "../world";
import { virshMigrate } from "./virsh-jobs";
import { virshRestore, virshSave } from "./virsh-saverestore";
import { virshPower } from "./virsh-power";
import { domainXml, dominfo, formatJob, list, stateText, table } from "./virsh-print";
import { hostText } from "./virsh-host";
import { qemuMonitorCommand } from "./virsh-monitor";

// Emulates libvirt's `virsh` (9.0, as the lab runs it) to the character of lib/toolstacks/REFERENCE.md §3
// and the lab's captured output: vsh-table layout, "%-15s %s" dominfo, "%-20s %s" nodeinfo, domjobinfo with
// its over-long labels and trailing spaces, `error: …` on stderr with exit 1, and the extra "\n" on stdout
// after every successful command. What it says of its host: ./virsh-host.ts.

/**
 * What each simulated command accepts, as virsh's option tables (virsh-domain*.c) declare it: flags, options that
 * take a value, and the positional options in order with how many are required. A command outside this table is
 * not simulated; an option outside it is refused as virsh refuses it.
 */
interface Spec {
  flags?: string[];
  values?: string[];
  positional?: string[];
  required?: number;
}
const DOM: Spec = { positional: ["domain"], required: 1 };
const SPECS: Record<string, Spec> = {
  list: {
    flags: ["--all", "--inactive", "--name", "--uuid", "--id", "--title", "--table", "--persistent", "--transient"],
  },
  dominfo: DOM,
  dumpxml: { ...DOM, flags: ["--inactive"] },
  domstate: { ...DOM, flags: ["--reason"] },
  resume: DOM,
  destroy: { ...DOM, flags: ["--graceful", "--remove-logs"] },
  undefine: DOM,
  domblklist: { ...DOM, flags: ["--details", "--inactive"] },
  domiflist: { ...DOM, flags: ["--inactive"] },
  nodeinfo: {},
  nodememstats: { values: ["--cell"] },
  version: { flags: ["--daemon"] },
  hostname: {},
  capabilities: { flags: ["--xpath", "--wrap"] },
  uri: {},
  domjobinfo: { ...DOM, flags: ["--completed", "--keep-completed", "--anystats", "--rawstats"] },
  domjobabort: { ...DOM, flags: ["--postcopy"] },
  "qemu-monitor-command": { positional: ["domain", "cmd"], required: 2, flags: ["--pretty", "--hmp"] },
  "migrate-setmaxdowntime": { positional: ["domain", "downtime"], required: 2 },
  "migrate-setspeed": { positional: ["domain", "bandwidth"], required: 2, flags: ["--postcopy"] },
  "migrate-getmaxdowntime": DOM,
  "migrate-postcopy": DOM,
  "domdirtyrate-calc": { ...DOM, values: ["--seconds", "--mode"] },
  domstats: {
    positional: ["domain"],
    flags: ["--dirtyrate", "--state", "--cpu-total", "--balloon", "--vcpu", "--block", "--raw"],
  },
  migrate: {
    positional: ["domain", "desturi", "migrateuri", "graphicsuri", "listen-address", "dname"],
    required: 2,
    flags: [
      "--live",
      "--offline",
      "--p2p",
      "--direct",
      "--tunnelled",
      "--persistent",
      "--undefinesource",
      "--suspend",
      "--copy-storage-all",
      "--copy-storage-inc",
      "--verbose",
      "--compressed",
      "--auto-converge",
      "--abort-on-error",
      "--postcopy",
      "--postcopy-after-precopy",
      "--unsafe",
      "--parallel",
    ],
    values: [
      "--bandwidth",
      "--timeout",
      "--xml",
      "--migrateuri",
      "--dname",
      "--parallel-connections",
      "--migrate-disks",
    ],
  },
  save: {
    positional: ["domain", "file", "xml"],
    required: 2,
    flags: ["--bypass-cache", "--running", "--paused", "--verbose"],
    values: ["--xml"],
  },
  restore: {
    positional: ["file", "xml"],
    required: 1,
    flags: ["--bypass-cache", "--running", "--paused", "--reset-nvram"],
    values: ["--xml"],
  },
  start: {
    ...DOM,
    flags: ["--console", "--paused", "--autodestroy", "--bypass-cache", "--force-boot", "--reset-nvram"],
  },
  shutdown: { ...DOM, values: ["--mode"] },
  reboot: { ...DOM, values: ["--mode"] },
};

/** virsh's own refusals of a command line: an unknown option, then each missing required option on its own line. */
function refusal(sub: string, args: string[]): string | null {
  const spec = SPECS[sub];
  if (!spec) return null;
  const given = new Set<string>();
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positional += args.length - i - 1;
      break;
    }
    if (a.startsWith("--")) {
      const name = a.split("=")[0];
      if (spec.flags?.includes(name)) continue;
      if (spec.values?.includes(name) || spec.positional?.includes(name.slice(2))) {
        if (!a.includes("=")) i++;
        given.add(name.slice(2));
        continue;
      }
      return `error: command '${sub}' doesn't support option ${name}\n`;
    }
    positional++;
  }
  const missing = (spec.positional ?? [])
    .slice(0, spec.required ?? 0)
    .filter((p, k) => k >= positional && !given.has(p));
  return missing.length ? missing.map((p) => `error: command '${sub}' requires <${p}> option\n`).join("") : null;
}

export function virshCommand(world: World, hostName: string): CommandFn {
  return async (argv, io) => {
    const host = world.host(hostName);
    const args = argv.slice(1).filter((a) => a !== "-q" && a !== "--quiet");
    const quiet = args.length !== argv.length - 1;
    const [sub, ...rest] = args;
    const refused = sub ? refusal(sub, rest) : null;
    if (refused) {
      io.err(refused);
      return 1;
    }
    // what virsh 9.0 prints with libvirtd down (captured in the lab, LC_ALL=C), stdout empty
    if (host.libvirtdDown) {
      io.err(
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
      );
      return 1;
    }
    // virsh ends every command it ran, failed or not, with an extra "\n" on stdout (not with -q); a command line it
    // refused (above) prints nothing there
    const end = (code: number) => {
      if (!quiet) io.out("\n");
      return code;
    };
    if (quiet) {
      // -q: tables without their header and dash line
      const out = io.out;
      io = { ...io, out: (t: string) => out(t.replace(/^ [^\n]*\n-{5,}\n/, "")) };
    }
    const fail = (msg: string) => {
      io.err(`error: ${msg}\n`);
      if (!quiet) io.out("\n"); // a command that ran and failed still ends stdout with its "\n"
      return 1;
    };
    const dom = (name: string | undefined) => host.domains.find((d) => d.name === name || String(d.domid) === name);
    const needDom = (name: string | undefined): SimDomain | null => {
      const d = dom(name);
      if (!d) {
        fail(`failed to get domain '${name ?? ""}'`);
        return null;
      }
      return d;
    };
    switch (sub) {
      case "list":
        return end(list(world, host, rest, io));
      case "dominfo": {
        const d = needDom(positional(rest)[0]);
        return d ? end(dominfo(world, d, io)) : 1;
      }
      case "dumpxml": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        io.out(domainXml(host, d, rest.includes("--inactive")));
        return end(0);
      }
      case "domstate": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        const reason = rest.includes("--reason");
        const words = stateText(d);
        const why =
          // libvirt 9's words (virsh domstate --reason in the lab): "paused (migrating)", "running (unpaused)"
          d.job?.operation === "Outgoing migration" && d.state === "paused"
            ? d.job.postcopy
              ? "post-copy"
              : "migrating"
            : d.state === "shutoff"
              ? (d.stopReason ?? (d.persistent ? "saved" : "destroyed"))
              : d.state === "paused"
                ? (d.pauseReason ?? "user")
                : d.pauseReason === "unpaused"
                  ? "unpaused"
                  : "booted";
        io.out(reason ? `${words} (${why})\n` : `${words}\n`);
        return end(0);
      }
      case "domblklist": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        const details = rest.includes("--details");
        const rows = d.disks.map((k) => (details ? ["file", "disk", k.vdev, k.target] : [k.vdev, k.target]));
        io.out(table(details ? ["Type", "Device", "Target", "Source"] : ["Target", "Source"], rows));
        return end(0);
      }
      case "domiflist": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        const rows =
          d.state === "shutoff" ? [] : [[`vnet${d.domid}`, "bridge", host.bridge ?? host.nic, "virtio", d.mac]];
        io.out(table(["Interface", "Type", "Source", "Model", "MAC"], rows));
        return end(0);
      }
      case "nodeinfo":
      case "nodememstats":
      case "version":
      case "hostname":
      case "capabilities":
      case "uri":
        io.out(hostText(world, host, sub));
        return end(0);
      case "resume": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        if (d.state !== "paused")
          return fail(
            `Failed to resume domain '${d.name}'\nerror: Requested operation is not valid: domain is already running`,
          );
        d.state = "running";
        d.pauseReason = "unpaused";
        world.emit("change", host.name);
        io.out(`Domain '${d.name}' resumed\n`);
        return end(0);
      }
      case "destroy": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        if (d.state === "shutoff")
          return fail(
            `Failed to destroy domain '${d.name}'\nerror: Requested operation is not valid: domain is not running`,
          );
        // libvirt keeps a persistent domain's definition (shut off, "destroyed") and forgets a transient one
        if (d.persistent) {
          d.state = "shutoff";
          d.domid = -1;
          d.stopReason = "destroyed";
          d.job = undefined;
        } else host.domains.splice(host.domains.indexOf(d), 1);
        world.emit("change", host.name);
        io.out(`Domain '${d.name}' destroyed\n`);
        return end(0);
      }
      case "undefine": {
        // libvirt: an inactive persistent domain is forgotten; a running one becomes transient; a transient one refuses
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        if (!d.persistent)
          return fail(
            `Failed to undefine domain '${d.name}'\nerror: Requested operation is not valid: cannot undefine transient domain`,
          );
        if (d.state === "shutoff") host.domains.splice(host.domains.indexOf(d), 1);
        else d.persistent = false;
        world.emit("change", host.name);
        io.out(`Domain '${d.name}' has been undefined\n`);
        return end(0);
      }
      case "domjobinfo": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        const job = rest.includes("--completed") ? host.completedJobs?.get(d.name) : d.job;
        if (rest.includes("--completed") && !rest.includes("--keep-completed")) host.completedJobs?.delete(d.name);
        io.out(formatJob(job));
        return end(0);
      }
      case "domjobabort": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        if (d.job?.type !== "Unbounded")
          return fail("Requested operation is not valid: no job is active on the domain");
        if (d.job.postcopy) return fail("Requested operation is not valid: cannot abort migration in post-copy mode");
        d.job.abort = true;
        return end(0);
      }
      case "qemu-monitor-command": {
        const [name, json] = positional(rest);
        const d = needDom(name);
        if (!d) return 1;
        if (rest.includes("--hmp") || rest.includes("--pretty"))
          return fail("the simulator answers QMP in one line only");
        const r = qemuMonitorCommand(d, json);
        if (r.code === 1) return fail(r.err);
        io.out(r.out);
        return end(0);
      }
      case "migrate-setmaxdowntime": {
        const [name, ms] = positional(rest);
        const d = needDom(name);
        if (!d) return 1;
        if (!/^\d+$/.test(ms ?? "") || Number(ms) < 1) return fail("migrate: Invalid downtime");
        d.maxDowntimeMs = Number(ms);
        return end(0);
      }
      case "migrate-setspeed": {
        const [name, mibps] = positional(rest);
        const d = needDom(name);
        if (!d) return 1;
        if (!/^\d+$/.test(mibps ?? "")) return fail("migrate-setspeed: Invalid bandwidth");
        d.speedMiBps = Number(mibps);
        return end(0);
      }
      case "migrate-getmaxdowntime": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        io.out(`${d.maxDowntimeMs ?? 300}\n`);
        return end(0);
      }
      case "migrate-postcopy": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        if (d.job?.operation !== "Outgoing migration")
          return fail("Requested operation is not valid: no job is active on the domain");
        if (!(d.job as SimJob & { postcopyAllowed?: boolean }).postcopyAllowed)
          return fail(
            "Requested operation is not valid: switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag",
          );
        d.job.postcopy = true;
        return end(0);
      }
      case "domdirtyrate-calc": {
        const [name] = positional(rest.filter((_a, i) => rest[i - 1] !== "--seconds" && rest[i - 1] !== "--mode"));
        const mode = rest.includes("--mode") ? rest[rest.indexOf("--mode") + 1] : "page-sampling";
        if (!["page-sampling", "dirty-bitmap", "dirty-ring"].includes(mode))
          return fail(`Unknown calculation mode '${mode}'`); // libvirt 9.0's words (fixture domdirtyrate-calc-bogus-mode-lab.stderr.txt)
        // the lab's QEMU 7.2 (software emulation) crashed the guest in dirty-bitmap mode (lib/toolstacks/REFERENCE.md
        // §3.7): not imitated, refused
        if (mode !== "page-sampling")
          return fail(`the simulated QEMU measures dirty rates by page sampling only, not ${mode}`);
        const d = needDom(name);
        if (!d) return 1;
        if (d.state === "shutoff") return fail("Requested operation is not valid: domain is not running");
        const seconds = Number(rest[rest.indexOf("--seconds") + 1] ?? 1) || 1;
        dirtyCalcs.set(d, { startedAt: Date.now(), seconds });
        io.out("Start to calculate domain's memory dirty rate successfully.\n");
        return end(0);
      }
      case "domstats": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        io.out(`Domain: '${d.name}'\n`);
        if (rest.includes("--dirtyrate")) {
          const calc = dirtyCalcs.get(d);
          const done = calc && Date.now() - calc.startedAt >= (calc.seconds * 1000) / world.timeScale;
          io.out(`  dirtyrate.calc_status=${!calc ? 0 : done ? 2 : 1}\n`);
          if (calc)
            io.out(
              `  dirtyrate.calc_start_time=${Math.round((calc.startedAt - host.bootedAt) / 1000)}\n  dirtyrate.calc_period=${calc.seconds}\n  dirtyrate.calc_mode=page-sampling\n`,
            );
          if (done) io.out(`  dirtyrate.megabytes_per_second=${Math.round(d.workload.dirtyMiBps * 1.048576)}\n`);
        }
        return end(0);
      }
      case "migrate":
        return end(await virshMigrate(world, hostName, rest, io));
      case "save":
        return end(await virshSave(world, hostName, rest, io));
      case "restore":
        return end(await virshRestore(world, hostName, rest, io));
      case "start":
      case "shutdown":
      case "reboot": {
        const d = needDom(positional(rest)[0]);
        if (!d) return 1;
        const err = (m: string) => {
          io.err(`error: ${m}\n`);
          return 1;
        };
        return end(virshPower(world, hostName, sub, d, { out: io.out, fail: err }));
      }
      case undefined:
        io.err("error: no command given\n");
        return 1;
      default:
        io.err(`error: unknown command: '${sub}'\n`);
        return 1;
    }
  };
}

const positional = (args: string[]) => args.filter((a) => !a.startsWith("--"));
/** domdirtyrate-calc measurements in progress or done, per domain */
const dirtyCalcs = new WeakMap<SimDomain, { startedAt: number; seconds: number }>();
