// Real `xm list` output from other people's hosts (fixtures/SOURCES): a Xen 4.x host, an Oracle Database Appliance
// (Oracle VM's wider columns, a 6-digit memory), and two pages whose whitespace was collapsed in print — one with
// Xen 3.0's "Mem(MiB)" header.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseXmList, parseXmListLong } from "./parse";

const fixture = (f: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", f), "utf8");
const rowsOf = (f: string) =>
  parseXmList(fixture(f)).map((r) => [r.name, r.id, r.memoryMiB, r.vcpus, r.stateLetters, r.cpuSeconds]);

describe("real xm list output", () => {
  it("a Xen host's list (a blog on growing a guest's disk)", () => {
    expect(rowsOf("xm-list-bbotte.txt")).toEqual([
      ["Domain-0", 0, 1024, 4, "r-----", 80.8],
      ["test2", 1, 768, 4, "-b----", 25.8],
    ]);
  });
  it("an Oracle Database Appliance X3-2: wider columns, 251904 MiB", () => {
    expect(rowsOf("xm-list-oda.txt")).toEqual([
      ["Domain-0", 0, 2039, 32, "r-----", 119019.9],
      ["oakDom1", 1, 251904, 32, "-b----", 2815.8],
    ]);
  });
  it("single spaces (collapsed in print), with Xen 3.0's Mem(MiB) header and without", () => {
    expect(rowsOf("xm-list-bookofxen.txt")).toEqual([["http.xen", 6, 96, 1, "-b----", 11358]]);
    expect(rowsOf("xm-list-netbsd.txt")).toEqual([["Domain-0", 0, 64, 1, "r-----", 282.1]]);
  });
});

describe("real xm list -l output", () => {
  it("Oracle VM 3.x: '' for empty values, the disk's uname on a line of its own, a hashed bridge name", () => {
    expect(parseXmListLong(fixture("xm-list-long-ovm.txt"))).toEqual([
      {
        domid: 11,
        name: "0004fb00000600007c522c7d71072a52",
        uuid: "0004fb00-0006-0000-7c52-2c7d71072a52",
        memoryMiB: 1030,
        disks: [
          {
            path: "/OVS/Repositories/0004fb00000300002160f6433014d23a/VirtualDisks/0004fb00001200006a75694a0a25bea8.img",
            vdev: "xvda",
          },
        ],
        bridges: ["10e69b4de3"],
      },
    ]);
  });

  it("Xen 4.0-era HVM guest on one line: valueless elements, a file: disk on hda, no network", () => {
    expect(parseXmListLong(fixture("xm-list-long-fedora14.txt"))).toEqual([
      {
        domid: 8,
        name: "fedora14",
        uuid: "c0e968c2-4bd0-ceab-bec1-84cbc6d03b76",
        memoryMiB: 300,
        disks: [{ path: "/home/zp/Desktop/fc8/hvm-WinXP/fedora14.img", vdev: "hda" }],
        bridges: [],
      },
    ]);
  });
});
