import fs from "node:fs";
import path from "node:path";
import { parseDomainType } from "../../lib/toolstacks/virsh/emulation";
import { describe, expect, it } from "vitest";
import { createDemoWorld } from "../default-world";
import { formatJob, table } from "./virsh-print";
import { virshCommand } from "./virsh";
import type { SimJob } from "../world";
import {
  parseDominfo,
  parseDomjobinfo,
  parseNodeMemStats,
  parseNodeinfo,
  parseVirshList,
  parseVirshVersion,
} from "../../lib/toolstacks/virsh/parse";

// The simulated virsh prints what the lab's real libvirt 9.0 printed, to the character where the
// values are the same, and always something Ferry's parsers read.

const lab = (name: string) =>
  fs.readFileSync(path.join(__dirname, "../../lib/toolstacks/virsh/fixtures", name), "utf8");

async function run(argv: string[], host = "kvmA") {
  const world = createDemoWorld();
  let out = "";
  let err = "";
  const code = await virshCommand(world, host)(argv, {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    signal: new AbortController().signal,
  } as never);
  return { code, out, err, world };
}

describe("simulated virsh", () => {
  it("speaks the host's locale unless LC_ALL=C: German labels and a decimal comma", async () => {
    const world = createDemoWorld();
    const dominfo = async (vars: Record<string, string>) => {
      let out = "";
      await virshCommand(world, "kvmA")(["virsh", "dominfo", "web-kvm"], {
        out: (t: string) => {
          out += t;
        },
        err: () => {},
        stdin: "",
        signal: new AbortController().signal,
        vars,
      });
      return out;
    };
    const de = await dominfo({ LANG: "de_DE.UTF-8" });
    expect(de).toMatch(/^CPU-Zeit: +\d+,\d+s$/m);
    expect(de).toMatch(/^Status: +laufend$/m);
    expect(() => parseDominfo(de)).toThrow(); // what Ferry would meet without LC_ALL=C
    const c = await dominfo({ LANG: "de_DE.UTF-8", LC_ALL: "C" });
    expect(parseDominfo(c)).toMatchObject({ state: "running" });
  });

  it("lays out `virsh list` like vsh-table: the lab's table for the same content", () => {
    expect(`${table(["Id", "Name", "State"], [["3", "labvm1", "running"]])}\n`).toBe(lab("list-lab.txt"));
    expect(`${table(["Id", "Name", "State"], [])}\n`).toBe(" Id   Name   State\n--------------------\n\n");
  });

  it("prints domjobinfo rows with the lab's widths, trailing spaces and over-long labels", () => {
    const text = formatJob({
      type: "Completed",
      operation: "Incoming migration",
      startedAt: 0,
      endedAt: 680,
      processed: 119_088_332,
      remaining: 0,
      total: 134_750_208,
      bandwidthBps: 338_641_797,
      dirtyPagesPerSec: 0,
      iteration: 3,
      expectedDowntimeMs: 0,
      downtimeMs: 239,
    });
    const real = lab("domjobinfo-completed-lab.txt").split("\n");
    for (const label of [
      "Job type:",
      "Operation:",
      "Time elapsed:",
      "Time elapsed w/o network:",
      "Memory remaining:",
      "Memory total:",
      "Dirty rate:",
      "Page size:",
      "Iteration:",
      "Postcopy requests:",
      "Total downtime:",
      "Downtime w/o network:",
    ]) {
      expect(
        text.split("\n").find((l) => l.startsWith(label)),
        label,
      ).toBe(real.find((l) => l.startsWith(label)));
    }
    expect(`${formatJob(undefined)}\n`).toBe("Job type:         None        \n\n"); // the lab's idle domjobinfo, byte for byte
  });

  it("answers every read command in a form the parsers accept, with exit 0 and the trailing newline", async () => {
    expect(parseVirshList((await run(["virsh", "list", "--all"])).out).map((r) => r.name)).toEqual([
      "web-kvm",
      "build-kvm",
    ]);
    const off = await run(["virsh", "list", "--all"], "kvmB");
    expect(parseVirshList(off.out)).toEqual([{ id: null, name: "win-test", state: "shut off" }]);
    const info = await run(["virsh", "dominfo", "web-kvm"]);
    expect(info.out.endsWith("\n\n")).toBe(true);
    expect(parseDominfo(info.out)).toMatchObject({
      name: "web-kvm",
      state: "running",
      maxMemoryMiB: 1024,
      persistent: true,
    });
    expect(parseNodeinfo((await run(["virsh", "nodeinfo"])).out)).toEqual({
      arch: "x86_64",
      cpus: 16,
      memoryMiB: 32768,
    });
    expect(parseNodeMemStats((await run(["virsh", "nodememstats"])).out).freeMiB).toBe(32768 - 2048 - 1024 - 2048); // total − host OS − the two running guests
    expect(parseVirshVersion((await run(["virsh", "version"])).out).hypervisor).toBe("QEMU");
    expect(parseDomjobinfo((await run(["virsh", "domjobinfo", "web-kvm"])).out).type).toBe("None");
    // the live definition's head as the lab's (fixtures/dumpxml-tcg-lab.xml): type, id, name, uuid, memory
    const xml = (await run(["virsh", "dumpxml", "web-kvm"])).out;
    expect(xml).toMatch(/^<domain type='kvm' id='\d+'>\n {2}<name>web-kvm<\/name>\n {2}<uuid>[0-9a-f-]{36}<\/uuid>\n/);
    expect(xml.endsWith("</domain>\n\n")).toBe(true);
    expect(parseDomainType(xml)).toBe("kvm");
    expect(lab("dumpxml-tcg-lab.xml")).toMatch(/^<domain type='qemu' id='\d+'>\n {2}<name>labvm1<\/name>\n {2}<uuid>/);
  });

  it("fails like libvirt: unknown domain, abort without a job, unknown command", async () => {
    expect(await run(["virsh", "dominfo", "nosuch"])).toMatchObject({
      code: 1,
      err: lab("dominfo-unknown-lab.stderr.txt"),
    });
    expect(await run(["virsh", "domjobabort", "web-kvm"])).toMatchObject({
      code: 1,
      err: lab("domjobabort-nojob-lab.stderr.txt"),
    });
    expect((await run(["virsh", "frobnicate"])).code).toBe(1);
  });
});

describe("simulated virsh qemu-monitor-command (what Ferry sends a QEMU that missed a cancel)", () => {
  const shape = (json: string) => json.replace(/"libvirt-\d+"/, '"libvirt-N"');
  const continueCmd = '{"execute":"migrate-continue","arguments":{"state":"cancelling"}}';
  const JOB: SimJob = {
    type: "Unbounded",
    operation: "Outgoing migration",
    startedAt: Date.now(),
    processed: 21 * 2 ** 20,
    remaining: 105 * 2 ** 20,
    total: 128 * 2 ** 20,
    bandwidthBps: 0,
    dirtyPagesPerSec: 0,
    iteration: 2,
    expectedDowntimeMs: 1500,
  };

  it("query-migrate: QEMU's status in one line, as the lab's printed it; stuck in cancelling: the same fields Ferry reads", async () => {
    expect((await run(["virsh", "qemu-monitor-command", "web-kvm", '{"execute":"query-migrate"}'])).out).toMatch(
      /^\{"return":\{\},"id":"libvirt-\d+"\}\n\n$/,
    );
    const world = createDemoWorld();
    const d = world.host("kvmA").domains.find((x) => x.name === "web-kvm")!;
    d.job = { ...JOB, cancelling: true };
    let out = "";
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
      signal: new AbortController().signal,
    };
    await virshCommand(world, "kvmA")(
      ["virsh", "qemu-monitor-command", "web-kvm", '{"execute":"query-migrate"}'],
      io as never,
    );
    const real = JSON.parse(lab("qmp-query-migrate-cancelling-lab.json"));
    const sim = JSON.parse(out);
    expect(sim.return.status).toBe(real.return.status);
    expect(Object.keys(sim.return).every((k) => k in real.return)).toBe(true);
    // migrate-continue: accepted in that state (it frees QEMU), refused as the lab's QEMU refused it otherwise
    out = "";
    await virshCommand(world, "kvmA")(["virsh", "qemu-monitor-command", "web-kvm", continueCmd], io as never);
    expect(shape(out)).toBe(`${shape(lab("qmp-migrate-continue-lab.json").trim())}\n\n`);
    expect(d.job.continued).toBe(true);
    d.job = undefined;
    out = "";
    await virshCommand(world, "kvmA")(["virsh", "qemu-monitor-command", "web-kvm", continueCmd], io as never);
    expect(shape(out)).toBe(
      `${shape(lab("qmp-migrate-continue-refused-lab.json").trim()).replace("state: cancelled", "state: none")}\n\n`,
    );
  });

  it("refuses every other QMP command: the simulator runs no QEMU", async () => {
    const r = await run(["virsh", "qemu-monitor-command", "web-kvm", '{"execute":"stop"}']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("answers only query-migrate and migrate-continue");
  });
});

describe("simulated virsh destroy", () => {
  it("forgets a transient domain, keeps a persistent one shut off (destroyed), refuses one that is not running", async () => {
    const world = createDemoWorld();
    const exec = async (argv: string[], host: string) => {
      let out = "";
      let err = "";
      const io = {
        out: (t: string) => {
          out += t;
        },
        err: (t: string) => {
          err += t;
        },
      };
      const code = await virshCommand(world, host)(argv, { ...io, signal: new AbortController().signal } as never);
      return { code, out, err };
    };
    const kvmA = world.host("kvmA");
    kvmA.domains.find((d) => d.name === "web-kvm")!.persistent = false;
    kvmA.domains.find((d) => d.name === "build-kvm")!.persistent = true;
    expect(await exec(["virsh", "destroy", "web-kvm"], "kvmA")).toMatchObject({
      code: 0,
      out: "Domain 'web-kvm' destroyed\n\n",
    });
    expect(kvmA.domains.some((d) => d.name === "web-kvm")).toBe(false);
    expect((await exec(["virsh", "destroy", "build-kvm"], "kvmA")).code).toBe(0);
    expect(kvmA.domains.find((d) => d.name === "build-kvm")).toMatchObject({
      state: "shutoff",
      stopReason: "destroyed",
    });
    const off = await exec(["virsh", "destroy", "win-test"], "kvmB");
    expect(off.code).toBe(1);
    expect(off.err).toBe(
      "error: Failed to destroy domain 'win-test'\nerror: Requested operation is not valid: domain is not running\n",
    );
  });
});

describe("simulated dirty-rate measurement", () => {
  it("knows libvirt's modes but measures only by page sampling: an unknown mode in libvirt's words, the others refused", async () => {
    const world = createDemoWorld();
    const run = async (mode: string) => {
      let err = "";
      const code = await virshCommand(world, "kvmA")(
        ["virsh", "domdirtyrate-calc", "build-kvm", "--seconds", "1", "--mode", mode],
        {
          out: () => {},
          err: (t: string) => {
            err += t;
          },
          signal: new AbortController().signal,
        } as never,
      );
      return { code, err };
    };
    expect(await run("bogus")).toEqual({ code: 1, err: lab("domdirtyrate-calc-bogus-mode-lab.stderr.txt") });
    // the lab's QEMU crashed the guest in this mode: the simulator does not pretend to measure it
    expect(await run("dirty-bitmap")).toMatchObject({ code: 1, err: expect.stringMatching(/page sampling only/) });
    expect((await run("page-sampling")).code).toBe(0);
  });

  it("domdirtyrate-calc then domstats --dirtyrate, as the lab printed it", async () => {
    const world = createDemoWorld();
    world.timeScale = 1000;
    const exec = async (argv: string[]) => {
      let out = "";
      await virshCommand(world, "kvmA")(argv, {
        out: (t: string) => {
          out += t;
        },
        err: () => {},
        signal: new AbortController().signal,
      } as never);
      return out;
    };
    expect(await exec(["virsh", "domdirtyrate-calc", "build-kvm", "--seconds", "1"])).toBe(
      lab("domdirtyrate-calc-lab.txt"),
    );
    await new Promise((r) => setTimeout(r, 5));
    const { parseDirtyRate } = await import("../../lib/toolstacks/virsh/parse");
    expect(parseDirtyRate(await exec(["virsh", "domstats", "build-kvm", "--dirtyrate"]))).toEqual({
      status: 2,
      mbps: Math.round(400 * 1.048576),
    });
  });
});
