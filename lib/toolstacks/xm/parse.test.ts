import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  hostsAllowMatch,
  parseSxp,
  parseXendConfig,
  parseXendLog,
  parseXmInfo,
  parseXmList,
  parseXmListLong,
  xmVersion,
} from "./parse";

const fixture = (f: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", f), "utf8");

describe("xm list", () => {
  it("reads rows from the right, an inactive managed domain without an ID, and long names", () => {
    const rows = parseXmList(fixture("xm-list.txt"));
    expect(rows.map((r) => [r.name, r.id, r.memoryMiB, r.vcpus, r.stateLetters, r.cpuSeconds])).toEqual([
      ["Domain-0", 0, 1024, 2, "r-----", 1823.4],
      ["vm01", 12, 512, 1, "-b----", 33.1],
      ["example-vm.903454.6332", 880, 512, 1, "-b----", 464451.2],
      ["old-guest", null, 256, 1, "------", 0],
    ]);
  });
  it("refuses a text that is not xm's table, saying so", () => {
    expect(() =>
      parseXmList("Error: Unable to connect to xend: No such file or directory. Is xend running?\n"),
    ).toThrow(/xend running/);
  });
});

describe("xm info", () => {
  it("reads xen_major/minor/extra into a version, past a deprecation warning", () => {
    const info = parseXmInfo(
      "WARNING: xend/xm is deprecated.\nhost                   : xmA\nrelease                : 2.6.32-5-xen-amd64\nmachine                : x86_64\nnr_cpus                : 4\ntotal_memory           : 8191\nfree_memory            : 6143\nxen_major              : 4\nxen_minor              : 1\nxen_extra              : .6\n",
    );
    expect(xmVersion(info)).toBe("4.1.6");
    expect(info.get("free_memory")).toBe("6143");
  });
});

describe("xm list --long (SXP)", () => {
  it("reads a real domain's uuid, memory, disks and bridges", () => {
    const [d] = parseXmListLong(fixture("xm-list-long.txt"));
    expect(d).toEqual({
      domid: 15,
      name: "UbuntuPVS810",
      uuid: "d9a1b362-c834-67ab-4e9d-d4b706699297",
      memoryMiB: 4096,
      disks: [{ path: "/dev/sdb7", vdev: "xvda" }],
      bridges: ["eth0"],
    });
  });
  it("parses quoted strings and nesting", () => {
    expect(parseSxp('(a (b \'x y\') (c "q\\"") (d))')).toEqual([["a", ["b", "x y"], ["c", 'q"'], ["d"]]]);
  });
});

describe("xend-config.sxp and hosts-allow", () => {
  const cfg = parseXendConfig(fixture("xend-config.sxp"));
  it("reads the relocation settings (commented lines ignored, defaults where unset)", () => {
    expect(cfg).toEqual({
      server: true,
      port: 8002,
      address: "",
      hostsAllow: ["^localhost$", "^localhost\\.localdomain$", "^xmA$", "^192\\.168\\.1\\.7[0-9]$"],
      sslServer: false,
      sslPort: 8003,
    });
    expect(parseXendConfig("").server).toBe(false); // xend's default: no relocation server
  });
  it("matches like Python's re.match against the peer's address and names, and says which pattern", () => {
    expect(hostsAllowMatch(cfg.hostsAllow, { address: "192.168.1.71", names: ["xmB"] })).toMatchObject({
      allowed: true,
      pattern: "^192\\.168\\.1\\.7[0-9]$",
      matched: "192.168.1.71",
    });
    expect(hostsAllowMatch(cfg.hostsAllow, { address: "10.0.0.5", names: ["xmA"] })).toMatchObject({
      allowed: true,
      pattern: "^xmA$",
    });
    expect(hostsAllowMatch(cfg.hostsAllow, { address: "10.0.0.5", names: ["xmC"] }).allowed).toBe(false);
    // re.match anchors at the start only: "xm" admits "xmanything"
    expect(hostsAllowMatch(["xm"], { address: "1.2.3.4", names: ["xmZ"] }).allowed).toBe(true);
    expect(hostsAllowMatch([], { address: "1.2.3.4", names: [] }).allowed).toBe(true);
    expect(hostsAllowMatch(["(["], { address: "1.2.3.4", names: [] })).toMatchObject({
      allowed: false,
      invalid: ["(["],
    });
  });
});

describe("xend.log's pre-copy rounds", () => {
  it("reads a real live migration's rounds: pages sent and skipped, percent, rates, the last round", () => {
    const log = parseXendLog(fixture("xend-live-2012.log"));
    expect(log.rounds.map((r) => [r.round, r.sent, r.skipped, r.dirtyPages, r.last])).toEqual([
      [1, 28847, 3921, 6036, false],
      [2, 3462, 2574, 3766, false],
      [3, 2701, 1065, 3447, false],
      [12, 341, 0, 42, false],
      [13, 42, 0, null, true],
    ]);
    expect(log.rounds[0]).toMatchObject({ percent: 95, deltaMs: 1702, sentMbps: 555, dirtiedMbps: 116 });
    expect(log.suspended).toBe(true);
  });
  it("reads a real failed save: the error and Save exit rc=1", () => {
    const log = parseXendLog(fixture("xend-failed-2017.log"));
    expect(log.rounds.map((r) => r.round)).toEqual([1]);
    expect(log.exitRc).toBe(1);
    expect(log.errors).toEqual(["Error when writing to state file (4a) (errno 104)"]);
    expect(log.suspended).toBe(false);
  });
  it("reads the later libxc layout and the totals", () => {
    const log = parseXendLog(
      [
        "[2014-05-02 10:00:01 2211] INFO (XendCheckpoint:423) Saving memory: iter 1 (last sent 0 skipped 0)",
        "[2014-05-02 10:00:03 2211] INFO (XendCheckpoint:423) Saving memory: iter 2 (last sent 131072 skipped 12)",
        "[2014-05-02 10:00:03 2211] INFO (XendCheckpoint:423) Total pages sent= 133120 (1.02x)",
        "[2014-05-02 10:00:03 2211] INFO (XendCheckpoint:423) Save exit rc=0",
      ].join("\n"),
    );
    expect(log.rounds.map((r) => [r.round, r.sent])).toEqual([
      [1, 131072],
      [2, 0],
    ]);
    expect([log.totalPages, log.factor, log.exitRc]).toEqual([133120, 1.02, 0]);
  });
});
