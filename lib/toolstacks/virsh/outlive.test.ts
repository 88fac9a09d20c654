import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandRunner } from "../types";
import { outliveVirsh } from "./outlive";

// What Ferry does after its session to the source was lost mid-migration while `virsh migrate` still runs there:
// a host answering as the lab's did (ps, libvirt's domjobinfo with a job and without, kill).

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const ARGV = ["virsh", "migrate", "--live", "labvm1", "qemu+ssh://root@10.77.0.13/system"];
const NO_JOB = "Job type:         None        \n\n";

/** A source where virsh runs (pid 4217) until `endsAt` polls have passed or a signal in `endsOn` reaches it. */
function source(o: { job: (poll: number) => boolean; endsAfter?: number; endsOn?: "INT" | "KILL"; silent?: number }) {
  const asked: string[] = [];
  let polls = 0;
  let alive = true;
  const runner: CommandRunner = {
    async exec(argv) {
      asked.push(argv.join(" "));
      if (argv[0] === "ps") {
        polls++;
        if (o.silent && polls <= o.silent) throw new Error("Connection to hostB dropped");
        if (o.endsAfter !== undefined && polls > o.endsAfter) alive = false;
        const rows = ["      1 /sbin/init", ...(alive ? [`   4217 ${ARGV.join(" ")}`] : [])];
        return { code: 0, stdout: `${rows.join("\n")}\n`, stderr: "" };
      }
      if (argv[1] === "domjobinfo")
        return { code: 0, stdout: o.job(polls) ? fixture("domjobinfo-active-lab.txt") : NO_JOB, stderr: "" };
      if (argv[0] === "kill") {
        if (argv[1] === `-${o.endsOn}` && argv[2] === "4217") alive = false;
        return { code: 0, stdout: "", stderr: "" };
      }
      throw new Error(`not asked in this test: ${argv.join(" ")}`);
    },
  };
  return { runner, asked };
}

const opts = (log: string[], silentMs = 50) => ({
  domain: "labvm1",
  pollMs: 1,
  noJobMs: 20,
  graceMs: 20,
  silentMs,
  log: (l: string) => void log.push(l),
});

describe("outliveVirsh: nothing is concluded while Ferry's virsh still runs on the source", () => {
  it("waits while libvirt runs the migration job, however long, and ends when virsh does; no signal sent", async () => {
    const log: string[] = [];
    const { runner, asked } = source({ job: () => true, endsAfter: 40 });
    await outliveVirsh(runner, ARGV, opts(log));
    expect(asked.filter((a) => a.startsWith("ps"))).toHaveLength(41);
    expect(asked.some((a) => a.startsWith("kill"))).toBe(false);
    expect(log).toEqual([
      "ferry: virsh migrate still runs on the source: Ferry waits for it before concluding anything",
      "ferry: virsh migrate has ended on the source",
    ]);
  });

  it("a virsh waiting with no job on the source (the reservation) gets its Ctrl-C, and ends", async () => {
    const log: string[] = [];
    const { runner, asked } = source({ job: () => false, endsOn: "INT" });
    await outliveVirsh(runner, ARGV, opts(log));
    expect(asked.filter((a) => a.startsWith("kill"))).toEqual(["kill -INT 4217"]);
    expect(log.at(-1)).toBe(
      "ferry: virsh migrate waits on the source with no migration job there: interrupting it (kill -INT)",
    );
  });

  it("one that outlives its Ctrl-C is killed", async () => {
    const { runner, asked } = source({ job: () => false, endsOn: "KILL" });
    await outliveVirsh(runner, ARGV, opts([]));
    expect(asked.filter((a) => a.startsWith("kill"))).toEqual(["kill -INT 4217", "kill -KILL 4217"]);
  });

  it("asks a source that cannot be asked again until it answers, and returns at once when virsh is gone", async () => {
    const log: string[] = [];
    const { runner, asked } = source({ job: () => true, silent: 5, endsAfter: 5 });
    // silentMs far beyond five polls: on a busy machine five 1 ms sleeps took over 50 ms (CI, stop 53), and the
    // test is about asking again, not about when a silent source is given up on (the last case)
    await outliveVirsh(runner, ARGV, opts(log, 60_000));
    expect(asked.filter((a) => a.startsWith("ps"))).toHaveLength(6);
    expect(log).toEqual([]);
  });

  it("gives up on a source that stays silent past silentMs, sending nothing (the locating that follows says so)", async () => {
    const { runner, asked } = source({ job: () => true, silent: 1e9 });
    await outliveVirsh(runner, ARGV, opts([]));
    expect(asked.every((a) => a.startsWith("ps"))).toBe(true);
  });
});
