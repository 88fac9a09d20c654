import { describe, expect, it } from "vitest";
import { createDefaultWorld, createDemoWorld } from "../default-world";
import { runSimCommand } from "../testing";
import { linuxCommands } from "./linux";
import { xlCommand } from "./xl";
import { xmCommand } from "./xm";

// The simulated hosts answer what they implement, as the real tool would, and refuse the rest: an option or a
// format accepted and ignored would answer another question than the one asked, and tests trust the answers.

async function hostB() {
  const world = createDefaultWorld();
  world.timeScale = 1000;
  const file = "/xen-saved-images/fuwa.save";
  expect((await runSimCommand(xlCommand(world, "hostB"), ["xl", "save", "ubuntu_fuwa_nfs_domU", file])).code).toBe(0);
  const run = (...argv: string[]) => runSimCommand(linuxCommands(world, "hostB")[argv[0]], argv);
  return { run, file };
}

describe("simulated find", () => {
  it("prints each path without -printf, as GNU find's default -print does (it printed the word 'find')", async () => {
    const { run, file } = await hostB();
    const plain = await run("find", "/xen-saved-images", "-maxdepth", "1", "-type", "f");
    expect(plain).toEqual({ code: 0, stdout: `${file}\n`, stderr: "" });
    expect((await run("find", "/xen-saved-images", "-maxdepth", "1", "-type", "f", "-print")).stdout).toBe(`${file}\n`);
  });

  it("formats %s %T@ %m %p %f %% and the escapes as GNU find does (%f was printed as it stood)", async () => {
    const { run, file } = await hostB();
    const r = await run(
      "find",
      "/xen-saved-images",
      "-maxdepth",
      "1",
      "-type",
      "f",
      "-printf",
      "%f|%p|%m|%%|%s\\t%T@\\n",
    );
    expect(r.code).toBe(0);
    const [name, path, mode, pct, rest] = r.stdout.trimEnd().split("|");
    expect([name, path, pct]).toEqual(["fuwa.save", file, "%"]);
    expect(mode).toMatch(/^[0-7]{3}$/); // octal permission bits, as GNU find prints them
    expect(rest).toMatch(/^\d+\t\d{10}\.\d{10}$/); // GNU's %T@: seconds with ten decimals
  });

  it("refuses a format, a predicate or a depth it does not simulate, instead of answering wrongly", async () => {
    const { run } = await hostB();
    for (const argv of [
      ["find", "/xen-saved-images", "-maxdepth", "1", "-type", "f", "-printf", "%u %p\\n"],
      ["find", "/xen-saved-images", "-maxdepth", "1", "-type", "f", "-name", "*.save"],
      ["find", "/xen-saved-images", "-type", "f"],
      ["find", "/xen-saved-images", "-maxdepth", "2", "-type", "f"],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^find: .*not simulated/);
    }
    expect(await run("find", "/nowhere", "-maxdepth", "1", "-type", "f")).toMatchObject({
      code: 1,
      stderr: "find: '/nowhere': No such file or directory\n",
    });
  });
});

describe("simulated coreutils and friends", () => {
  it("refuse an option they do not simulate, and still answer the ones they do", async () => {
    const { run, file } = await hostB();
    for (const argv of [
      ["sha256sum", "-c", file],
      ["rm", "-r", file],
      ["head", "-n", "1", file],
      ["cat", "-A", "/etc/hostname"],
      ["df", "-h"],
      ["wc", "-l", "/etc/hostname"],
      ["nc", "-v", "hostC", "22"],
      ["ps", "aux"],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${argv[0]}: .*simulated`));
    }
    expect((await run("sha256sum", file)).stdout).toMatch(new RegExp(`^[0-9a-f]{64}  ${file}\\n$`));
    expect((await run("df", "-P", "/xen-saved-images")).code).toBe(0);
    expect((await run("echo", "-x", "y")).stdout).toBe("-x y\n"); // dash's echo prints what it does not know
    expect((await run("rm", "-f", file)).code).toBe(0);
  });

  it("base64 wraps at 76 columns as coreutils does, and not at all with -w 0", async () => {
    const world = createDefaultWorld();
    const b64 = (...argv: string[]) =>
      linuxCommands(world, "hostB").base64(argv, {
        stdin: "x".repeat(100),
        out: (t) => out.push(t),
        err: () => {},
        signal: new AbortController().signal,
      });
    const out: string[] = [];
    await b64("base64");
    expect(
      out
        .join("")
        .split("\n")
        .map((l) => l.length),
    ).toEqual([76, 60, 0]);
    out.length = 0;
    await b64("base64", "-w", "0");
    expect(
      out
        .join("")
        .split("\n")
        .map((l) => l.length),
    ).toEqual([136, 0]);
  });
});

describe("simulated xm list", () => {
  const xm = (world: ReturnType<typeof createDemoWorld>, ...args: string[]) =>
    runSimCommand(xmCommand(world, "xmA"), ["xm", ...args]);

  it("lists the domains named, in that order, and refuses one xend does not know as xm does", async () => {
    const world = createDemoWorld();
    const one = await xm(world, "list", "sles11_domU");
    expect(one.code).toBe(0);
    expect(
      one.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["Name", "sles11_domU"]);
    expect(await xm(world, "list", "nosuch")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: Domain 'nosuch' does not exist.\n",
    });
    expect((await xm(world, "list", "-l", "nosuch")).code).toBe(1);
    const long = await xm(world, "list", "--long", "sles11_domU");
    expect(long.stdout).toMatch(/^\(domain\n/);
    expect(long.stdout.match(/\(domain\n/g)).toHaveLength(1);
    const all = await xm(world, "list");
    expect(
      all.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["Name", "Domain-0", "sles11_domU"]);
  });

  it("refuses an option it does not know with xm's usage", async () => {
    const r = await xm(createDemoWorld(), "list", "--state=running");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: option --state=running not recognized\nUsage: xm list /);
  });
});
