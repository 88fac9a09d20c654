import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandRunner } from "../types";
import { stopUnfinishedIncoming } from "./leftovers";

// Both hosts run the guest after a migration that failed before its switchover (CI's lab campaign, libvirt 9.0:
// libvirtd on the target killed and started again mid disk copy left the unfinished incoming domain running). Ferry
// stops the target's copy only when the source provably never stopped for the switchover; hosts that answer as the
// lab's libvirt does (dominfo-lab.txt; domstate --reason; domjobinfo without a job).

const dominfo = fs.readFileSync(path.join(__dirname, "fixtures", "dominfo-lab.txt"), "utf8");
const NO_JOB = "Job type:         None        \n\n";
const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });

function host(state: string, over: { uuid?: string; persistent?: boolean } = {}) {
  const asked: string[] = [];
  let current = state;
  const runner: CommandRunner = {
    async exec(argv) {
      asked.push(argv.join(" "));
      if (argv[1] === "domstate") return ok(`${current}\n\n`);
      if (argv[1] === "domjobinfo") return ok(NO_JOB);
      if (argv[1] === "dominfo")
        return ok(
          dominfo
            .replace(/^UUID:.*$/m, `UUID:           ${over.uuid ?? "266b58d4-1969-49ab-8d74-5bbd7029ba1b"}`)
            .replace(/^Persistent:.*$/m, `Persistent:     ${over.persistent === false ? "no" : "yes"}`),
        );
      if (argv[1] === "destroy") {
        current = "shut off (destroyed)";
        return ok(`Domain 'labvm1' destroyed\n\n`);
      }
      if (argv[1] === "undefine") return ok(`Domain 'labvm1' has been undefined\n\n`);
      throw new Error(`not asked in this test: ${argv.join(" ")}`);
    },
  };
  return { runner, asked };
}

const ends = (source: ReturnType<typeof host>, target: ReturnType<typeof host>) => ({
  source: source.runner,
  target: target.runner,
  sourceName: "hostB",
  targetName: "hostC",
  domain: "labvm1",
});

describe("a guest running on both hosts after a failed migration", () => {
  it("the source never stopped for the switchover: the target's copy is destroyed and its new definition removed", async () => {
    const b = host("running (booted)");
    const c = host("running (migrated)");
    const note = await stopUnfinishedIncoming(ends(b, c));
    expect(note).toContain(
      "libvirt on hostC had left the migration's unfinished incoming copy running (running (migrated)) while the guest ran on hostB, which never stopped for the switchover (running (booted))",
    );
    expect(note).toContain(
      "Ferry stopped it (virsh destroy) and removed the definition libvirt had made there (virsh undefine).",
    );
    expect(c.asked).toContain("virsh destroy labvm1");
    expect(c.asked).toContain("virsh undefine labvm1");
    expect(b.asked.filter((a) => /destroy|undefine/.test(a))).toEqual([]);
  });

  it("touches nothing when the source may have stopped for it, or the two are not one domain", async () => {
    for (const [source, target] of [
      [host("running (migration canceled)"), host("running (migrated)")],
      [host("running (unpaused)"), host("running (migrated)")],
      [host("running (post-copy)"), host("running (post-copy)")],
      [host("running (booted)"), host("running (migrated)", { uuid: "00000000-0000-0000-0000-000000000001" })],
    ]) {
      expect(await stopUnfinishedIncoming(ends(source, target))).toBeNull();
      expect(target.asked.filter((a) => /destroy|undefine/.test(a))).toEqual([]);
    }
  });

  it("a transient copy is only destroyed (nothing to undefine)", async () => {
    const c = host("running (migrated)", { persistent: false });
    expect(await stopUnfinishedIncoming(ends(host("running (booted)"), c))).toMatch(
      /Ferry stopped it \(virsh destroy\)\.$/,
    );
    expect(c.asked).not.toContain("virsh undefine labvm1");
  });
});
