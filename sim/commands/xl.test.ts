import { describe, expect, it } from "vitest";
import { createDefaultWorld } from "../default-world";
import { xlCommand } from "./xl";
import { parseXlList } from "../../lib/toolstacks/xl/parse-list";
import { parseXlInfo } from "../../lib/toolstacks/xl/parse-info";
import { parseXlListLong } from "../../lib/toolstacks/xl/parse-list-long";
import { parseXlUptime } from "../../lib/toolstacks/xl/parse-uptime";

async function xl(host: string, ...args: string[]) {
  const world = createDefaultWorld();
  let out = "";
  let err = "";
  const code = await xlCommand(world, host)(["xl", ...args], {
    stdin: "",
    out: (t) => (out += t),
    err: (t) => (err += t),
    signal: new AbortController().signal,
  });
  return { code, out, err, world };
}

describe("simulated xl, to the character of the reference", () => {
  it("xl list: TAB header, fixed widths, Domain-0 first", async () => {
    const { code, out, err } = await xl("hostB", "list");
    expect(code).toBe(0);
    expect(err).toBe("");
    const lines = out.split("\n");
    expect(lines[0]).toBe("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    expect(lines[1]).toMatch(/^Domain-0 {33} {4}0 {2}1024 {5}4 {5}r----- {2} {0,7}\d+\.\d$/);
    expect(lines[2]).toMatch(/^ubuntu_fuwa_nfs_domU {21} {4}1 {3}256 {5}1 {5}-b---- {2}[ \d]{5}\d\.\d$/);
    expect(lines[2].length).toBe(40 + 1 + 5 + 1 + 5 + 1 + 5 + 5 + 6 + 2 + 8);
  });

  it("accepts an unambiguous beginning of a command as xl's cmdtable_lookup does, and refuses an ambiguous one", async () => {
    const li = await xl("hostB", "li");
    expect(li.code).toBe(0);
    expect(li.out.split("\n").length).toBe((await xl("hostB", "list")).out.split("\n").length); // the same table
    expect(li.out.split("\n")[0]).toMatch(/^Name\s+ID/);
    expect(await xl("hostB", "pci-a")).toMatchObject({ code: 1, err: "command not implemented\n" }); // attach or assignable-*
  });

  it("xl list errors: unknown name, unknown id, bad option", async () => {
    expect(await xl("hostB", "list", "nosuch")).toMatchObject({
      code: 1,
      out: "",
      err: "nosuch is an invalid domain identifier (rc=-6)\n",
    });
    expect(await xl("hostB", "list", "42")).toMatchObject({ code: 1, err: "Error: Domain '42' does not exist.\n" });
    expect(await xl("hostB", "list", "-q")).toMatchObject({ code: 2, err: "option `q' not supported.\n" });
    expect(await xl("hostB", "frobnicate")).toMatchObject({ code: 1, err: "command not implemented\n" });
  });

  it("xl list -l is JSON with Domain-0 first (as real Xen 4.17 prints it), 4-space indented", async () => {
    const { out } = await xl("hostB", "list", "-l");
    expect(out.startsWith('[\n    {\n        "domid": 0,')).toBe(true);
    expect(parseXlListLong(out).map((e) => e.name)).toEqual(["Domain-0", "ubuntu_fuwa_nfs_domU", "debian_etch_domU"]);
  });

  it("xl info: labels padded to 23, free memory accounts for every domain", async () => {
    const { out } = await xl("hostB", "info");
    expect(out).toMatch(/^host {19}: hostB$/m);
    expect(out).toMatch(/^virt_caps {14}: pv hvm/m);
    const info = parseXlInfo(out);
    expect(Number(info.get("free_memory"))).toBe(8192 - 1024 - 256 - 512);
    expect((await xl("hostB", "info", "free_memory")).out).toBe("6400\n");
  });

  it("what the simulation prints, the parsers read", async () => {
    const rows = parseXlList((await xl("hostB", "list")).out);
    expect(rows.map((r) => [r.name, r.memoryMiB, r.vcpus])).toEqual([
      ["Domain-0", 1024, 4],
      ["ubuntu_fuwa_nfs_domU", 256, 1],
      ["debian_etch_domU", 512, 2],
    ]);
    const uptime = parseXlUptime((await xl("hostB", "uptime")).out);
    expect(uptime.get(2)).toBeGreaterThan(86400);
  });
});

describe("xl's domain monitor, as the real xl 4.17 leaves it", () => {
  it("after xl restore a process named `xl restore <file>` stays while the domain lives (not with -e)", async () => {
    const { runSimCommand } = await import("../testing");
    const { linuxCommands } = await import("./linux");
    const world = createDefaultWorld();
    world.timeScale = 1000;
    const run = (...argv: string[]) => runSimCommand(xlCommand(world, "hostB"), ["xl", ...argv]);
    const ps = async () => (await runSimCommand(linuxCommands(world, "hostB").ps, ["ps", "-eo", "pid=,args="])).stdout;
    const file = "/xen-saved-images/fuwa.save";
    expect((await run("save", "ubuntu_fuwa_nfs_domU", file)).code).toBe(0);
    expect(await ps()).toBe("");
    expect((await run("restore", file)).code).toBe(0);
    expect(await ps()).toMatch(new RegExp(`^ +\\d+ xl restore ${file}\\n$`));
    const host = world.host("hostB");
    host.domains = host.domains.filter((d) => d.name !== "ubuntu_fuwa_nfs_domU"); // the guest shuts down
    expect(await ps()).toBe(""); // the monitor saw its domain die and exited
    expect((await run("save", "ubuntu_fuwa_nfs_domU", file)).code).not.toBe(0); // (gone: nothing to save)
    world.addDomain("hostB", { name: "ubuntu_fuwa_nfs_domU", memoryMiB: 256, vcpus: 1 });
    expect((await run("save", "ubuntu_fuwa_nfs_domU", `${file}.2`)).code).toBe(0);
    expect((await run("restore", "-e", `${file}.2`)).code).toBe(0);
    expect(await ps()).toBe("");
  });
});
