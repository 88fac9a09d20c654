import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { baseDomainName, parseXlList, stateFromLetters } from "./parse-list";
import { parseXlInfo } from "./parse-info";
import { parseCpuVirtFlags } from "../linux/host-commands";
import { parseXlListLong } from "./parse-list-long";
import { parseXlUptime } from "./parse-uptime";
import { xlError } from "./errors";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : "not-an-AppError";
  }
  return undefined;
}

describe("parseXlList", () => {
  it("reads the reference sample, fields from the right", () => {
    expect(parseXlList(fixture("list-reference.txt"))).toEqual([
      { name: "Domain-0", id: 0, memoryMiB: 4096, vcpus: 8, stateLetters: "r-----", cpuSeconds: 1234.5 },
      { name: "web01", id: 3, memoryMiB: 2048, vcpus: 2, stateLetters: "-b----", cpuSeconds: 56.7 },
      { name: "db01", id: 7, memoryMiB: 8192, vcpus: 4, stateLetters: "--p---", cpuSeconds: 0.3 },
      { name: "crashy", id: 9, memoryMiB: 512, vcpus: 1, stateLetters: "---sc-", cpuSeconds: 3 },
    ]);
  });

  it("keeps names longer than 40 characters and migration suffixes", () => {
    const rows = parseXlList(fixture("list-migrating.txt"));
    expect(rows.map((r) => r.name)).toContain("a_domain_name_that_is_longer_than_forty_chars");
    const away = rows.find((r) => r.name.endsWith("--migratedaway"))!;
    expect(stateFromLetters(away.stateLetters, away.name)).toBe("migrating-out");
    expect(baseDomainName(away.name)).toBe("ubuntu_fuwa_nfs_domU");
    const incoming = rows.find((r) => r.name.endsWith("--incoming"))!;
    expect(stateFromLetters(incoming.stateLetters, incoming.name)).toBe("migrating-in");
  });

  it("turns a truncated row or a missing header into toolstack_parse_error", () => {
    expect(codeOf(() => parseXlList(fixture("list-truncated.txt")))).toBe("toolstack_parse_error");
    expect(codeOf(() => parseXlList("bash: xl: command not found\n"))).toBe("toolstack_parse_error");
    expect(codeOf(() => parseXlList(""))).toBe("toolstack_parse_error");
  });

  it.each([
    ["r-----", "running"],
    ["-b----", "idle"],
    ["--p---", "paused"],
    ["---ss-", "suspended"],
    ["---sc-", "crashed"],
    ["---s--", "shutdown"],
    ["---sr-", "shutdown"],
    ["-----d", "dying"],
    ["------", "running"],
  ])("state %s is %s", (letters, state) => expect(stateFromLetters(letters, "x")).toBe(state));
});

describe("parseXlList on real output", () => {
  it.each([
    ["list-debian414.txt", [["Domain-0", 0, 16072, 8, "r-----", 366.8]]],
    [
      "list-zephyr.txt",
      [
        ["Domain-0", 0, 1024, 4, "r-----", 7],
        ["zephyr", 3, 512, 1, "-b----", 1.1],
      ],
    ],
    [
      "list-dom0less-errors.txt",
      [
        ["Domain-0", 0, 800, 1, "r-----", 130],
        ["dom0less-1", 1, 400, 1, "r-----", 130.3],
        ["dom0less-2", 2, 800, 1, "r-----", 130.3],
      ],
    ],
  ])("%s", (file, rows) => {
    expect(
      parseXlList(fixture(file)).map((r) => [r.name, r.id, r.memoryMiB, r.vcpus, r.stateLetters, r.cpuSeconds]),
    ).toEqual(rows);
  });
});

describe("parseXlInfo", () => {
  it.each([
    ["info-xen44-centos.txt", "4.4.1-4.el6", "immortal", "6141", "5030"],
    ["info-xen411-debian.txt", "4.11.4", "xxx", "32542", "20836"],
    ["info-xen420-suse.txt", "4.20.1_02-1", "xensrv", "32677", "28057"],
    ["info-no-version.txt", "4.18.2", "qemu-aarch64", "2048", "1536"],
  ])("reads real output: %s", (file, version, host, total, free) => {
    const info = parseXlInfo(fixture(file));
    expect([info.get("xen_version"), info.get("host"), info.get("total_memory"), info.get("free_memory")]).toEqual([
      version,
      host,
      total,
      free,
    ]);
  });

  it("reads the reference sample, keeping empty values", () => {
    const info = parseXlInfo(fixture("info-reference.txt"));
    expect(info.get("machine")).toBe("x86_64");
    expect(info.get("free_memory")).toBe("52110");
    expect(info.get("xen_version")).toBe("4.17.3");
    expect(info.get("xen_changeset")).toBe("");
    expect(info.get("virt_caps")?.split(" ")).toContain("hvm");
  });

  it("rejects output without the keys Ferry needs, or with non-numeric memory", () => {
    expect(codeOf(() => parseXlInfo(fixture("info-value.txt")))).toBe("toolstack_parse_error");
    const bad = fixture("info-reference.txt").replace(/free_memory\s+: \d+/, "free_memory            : lots");
    expect(codeOf(() => parseXlInfo(bad))).toBe("toolstack_parse_error");
  });

  it("finds vmx/svm in /proc/cpuinfo flags", () => {
    expect(parseCpuVirtFlags("flags\t\t: fpu vme vmx sse\n\nflags\t\t: fpu vmx\n")).toEqual(["vmx"]);
    expect(parseCpuVirtFlags("flags\t\t: fpu svm\n")).toEqual(["svm"]);
    expect(parseCpuVirtFlags("flags\t\t: fpu sse hypervisor\n")).toEqual([]);
  });
});

describe("parseXlListLong", () => {
  it("reads uuid, type, disks and the interfaces' bridges of the reference entry", () => {
    expect(parseXlListLong(fixture("list-long.json"))).toEqual([
      {
        domid: 3,
        name: "web01",
        uuid: "5f1c2e0a-1b2c-4d5e-8f90-0123456789ab",
        type: "pvh",
        disks: [{ path: "/dev/vg0/web01", vdev: "xvda" }],
        bridges: ["xenbr0"],
      },
    ]);
  });

  it("accepts a single object (xl create -n) and an empty array", () => {
    expect(parseXlListLong('{"domid": null, "config": {"c_info": {"name": "x"}}}')[0]).toMatchObject({
      domid: null,
      name: "x",
    });
    expect(parseXlListLong("[\n]\n")).toEqual([]);
  });

  it("rejects SXP and wrong shapes with a clear code", () => {
    expect(codeOf(() => parseXlListLong("(domain (domid 3))"))).toBe("toolstack_parse_error");
    expect(codeOf(() => parseXlListLong('[{"domid": "x"}]'))).toBe("toolstack_parse_error");
  });
});

describe("parseXlUptime", () => {
  it("reads H:MM:SS, 1 day and N days forms", () => {
    expect([...parseXlUptime(fixture("uptime.txt"))]).toEqual([
      [0, 3 * 86400 + 5],
      [1, 5405],
      [2, 86400 + 3728],
    ]);
  });
});

describe("xlError", () => {
  const r = (code: number, stderr: string) => ({ code, stdout: "", stderr });
  it("maps exit codes and known messages to codes", () => {
    expect(xlError(["xl", "list", "nosuch"], r(1, fixture("list-unknown-name.stderr.txt"))).code).toBe(
      "domain_not_found",
    );
    expect(xlError(["xl", "list", "42"], r(1, fixture("list-unknown-id.stderr.txt"))).code).toBe("domain_not_found");
    expect(xlError(["xl", "info"], r(127, "bash: line 1: xl: command not found\n")).code).toBe("toolstack_not_found");
    expect(xlError(["xl", "list", "-q"], r(2, "option `q' not supported.\n")).code).toBe("toolstack_error");
  });
  it("says Xen is not running when xl cannot open the hypervisor (real xl 4.17 on a machine without Xen)", () => {
    const e = xlError(["xl", "info"], r(1, fixture("info-no-hypervisor-xen417.stderr.txt")));
    expect(e.code).toBe("toolstack_error");
    expect(e.message).toMatch(/Xen is not running on this host/);
    expect(e.message).not.toMatch(/xencall/);
    expect((e.detail as { stderr: string }).stderr).toMatch(/cannot init xl context/);
    // written from xencall's source (PERROR + strerror): the same line when the SSH user is not root
    const denied = "xencall: error: Could not obtain handle on privileged command interface: Permission denied\n";
    expect(xlError(["xl", "info"], r(1, denied)).message).toMatch(/only be run as root/);
  });
});
