import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import {
  errorLines,
  lastProgress,
  parseDominfo,
  parseDomjobinfo,
  parseNodeMemStats,
  parseHostUuid,
  parseNodeinfo,
  parseSize,
  parseVirshList,
  parseVirshVersion,
} from "./parse";
import { virshError, virshMigrateError, virshSaveRestoreError } from "./errors";
import { parseLibvirtSaveHeader } from "./saverestore";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : "not-an-AppError";
  }
  return undefined;
};

describe("parseVirshList", () => {
  it("reads the reference table, including 'shut off' with its single space and '-' ids", () => {
    expect(parseVirshList(fixture("list-reference.txt"))).toEqual([
      { id: 1, name: "fedora38", state: "running" },
      { id: 4, name: "web-frontend", state: "paused" },
      { id: null, name: "win10", state: "shut off" },
    ]);
  });
  it("reads real libvirt 9.0 output from the lab, with virsh's trailing blank line", () => {
    expect(parseVirshList(fixture("list-lab.txt"))).toEqual([{ id: 3, name: "labvm1", state: "running" }]);
    expect(parseVirshList(" Id   Name   State\n--------------------\n\n")).toEqual([]);
  });
  it("refuses text without the header", () => {
    expect(codeOf(() => parseVirshList("bash: virsh: command not found\n"))).toBe("toolstack_parse_error");
  });
});

describe("dominfo, nodeinfo, nodememstats, version", () => {
  it("reads the lab's dominfo", () => {
    expect(parseDominfo(fixture("dominfo-lab.txt"))).toMatchObject({
      id: 3,
      name: "labvm1",
      uuid: "266b58d4-1969-49ab-8d74-5bbd7029ba1b",
      state: "running",
      vcpus: 1,
      cpuSeconds: 0.7,
      maxMemoryMiB: 128,
      usedMemoryMiB: 128,
      persistent: true,
    });
  });
  it("reads an inactive domain", () => {
    const d = parseDominfo(
      "Id:             -\nName:           win10\nUUID:           5f1c2e0a-1b2c-4d5e-8f90-0123456789ab\nOS Type:        hvm\nState:          shut off\nCPU(s):         2\nMax memory:     4194304 KiB\nUsed memory:    4194304 KiB\nPersistent:     yes\n\n",
    );
    expect(d).toMatchObject({ id: null, state: "shutdown", stateText: "shut off", cpuSeconds: 0, maxMemoryMiB: 4096 });
  });
  it("reads a domain without a memory ceiling ('no limit') and the blocked state of older libvirt", () => {
    const d = parseDominfo(
      "Id:             4\nName:           old\nUUID:           5f1c2e0a-1b2c-4d5e-8f90-0123456789ab\nOS Type:        linux\nState:          blocked\nCPU(s):         1\nMax memory:     no limit\nUsed memory:    524288 KiB\n\n",
    );
    expect(d).toMatchObject({ state: "idle", maxMemoryMiB: 512, usedMemoryMiB: 512 });
  });
  it("reads a decimal comma where a locale's slipped through: CPU time 18,2s, 32,196 GiB", () => {
    const d = parseDominfo(
      "Id:             3\nName:           web\nUUID:           5f1c2e0a-1b2c-4d5e-8f90-0123456789ab\nOS Type:        hvm\nState:          running\nCPU(s):         2\nCPU time:       18,2s\nMax memory:     1048576 KiB\nUsed memory:    1048576 KiB\n\n",
    );
    expect(d.cpuSeconds).toBe(18.2);
    expect(parseSize("32,196 GiB")).toBe(Math.round(32.196 * 1024 ** 3));
    expect(parseSize("32.196 GiB")).toBe(Math.round(32.196 * 1024 ** 3));
  });
  it("reads the lab's nodeinfo, nodememstats and version", () => {
    expect(parseNodeinfo(fixture("nodeinfo-lab.txt"))).toEqual({ arch: "x86_64", cpus: 2, memoryMiB: 7770 });
    const mem = parseNodeMemStats(fixture("nodememstats-lab.txt"));
    expect(mem.totalMiB).toBeGreaterThan(mem.freeMiB);
    expect(parseVirshVersion(fixture("version-lab.txt"))).toEqual({
      hypervisor: "QEMU",
      hypervisorVersion: "7.2.22",
      libvirt: "9.0.0",
    });
  });
});

describe("parseVirshList on old libvirt's fixed layout (real captures)", () => {
  it("reads metal3's and an OpenStack node's tables", () => {
    expect(parseVirshList(fixture("list-old-metal3.txt")).map((r) => [r.id, r.name, r.state])).toEqual([
      [6, "minikube", "running"],
      [9, "kube_worker_0", "running"],
      [10, "kube_master_0", "running"],
    ]);
    expect(parseVirshList(fixture("list-old-openstack.txt")).map((r) => [r.id, r.name, r.state])).toEqual([
      [136, "instance-0000003a", "running"],
      [null, "instance-0000003c", "shut off"],
      [null, "instance-00000079", "shut off"],
    ]);
  });
  it("a 5-digit id or a 30+ character name leaves one space; a warning before the table is skipped", () => {
    expect(parseVirshList(fixture("list-old-long.txt")).map((r) => [r.id, r.name, r.state])).toEqual([
      [12345, "guest-with-a-name-of-31-chars-x", "running"],
      [7, "a-name-exactly-thirty-chars-ok", "running"],
      [null, "win10", "shut off"],
    ]);
  });
});

describe("real dominfo and list captures from other people's hosts", () => {
  it.each([
    ["dominfo-vi-comma.txt", { name: "thanhbc", state: "running", cpuSeconds: 18.2, maxMemoryMiB: 2048, vcpus: 1 }],
    ["dominfo-es-comma.txt", { name: "debian13", state: "running", cpuSeconds: 20.4, maxMemoryMiB: 2048, vcpus: 2 }],
    ["dominfo-taint.txt", { name: "vps3458844", state: "running", cpuSeconds: 334229.7, maxMemoryMiB: 4096, vcpus: 1 }],
  ])("%s", (file, want) => {
    expect(parseDominfo(fixture(file))).toMatchObject(want);
  });
  it.each([
    ["nodeinfo-operator.txt", { arch: "x86_64", cpus: 12, memoryMiB: 31837 }],
    ["nodeinfo-libvirt710.txt", { arch: "x86_64", cpus: 32, memoryMiB: 32012 }],
  ])("%s", (file, want) => {
    expect(parseNodeinfo(fixture(file))).toEqual(want);
  });
  it("list-old-lxc.txt: a 5-digit id in the old layout", () => {
    expect(parseVirshList(fixture("list-old-lxc.txt")).map((r) => [r.id, r.name, r.state])).toEqual([
      [15720, "http1", "running"],
      [null, "http2", "shut off"],
    ]);
  });
});

describe("parseDomjobinfo", () => {
  it("reads the reference sample with its over-long labels and trailing spaces", () => {
    expect(parseDomjobinfo(fixture("domjobinfo-reference.txt"))).toMatchObject({
      type: "Unbounded",
      operation: "Outgoing migration",
      elapsedMs: 10234,
      iteration: 3,
      dirtyPagesPerSec: 24567,
      pageSize: 4096,
      memoryTotal: 4 * 1024 ** 3,
      bandwidthBps: 112 * 1024 ** 2,
      expectedDowntimeMs: 312,
      totalDowntimeMs: null,
      postcopyRequests: 0,
    });
  });
  it("reads real active and completed jobs from the lab", () => {
    const active = parseDomjobinfo(fixture("domjobinfo-throttled-lab.txt"));
    expect(active).toMatchObject({
      type: "Unbounded",
      iteration: 1,
      bandwidthBps: parseSize("16.016 MiB/s"),
      expectedDowntimeMs: 300,
    });
    expect(active.memoryRemaining! + active.memoryProcessed!).toBeLessThanOrEqual(active.memoryTotal! + 1024);
    const done = parseDomjobinfo(fixture("domjobinfo-completed-lab.txt"));
    expect(done).toMatchObject({
      type: "Completed",
      operation: "Incoming migration",
      iteration: 3,
      totalDowntimeMs: 239,
      expectedDowntimeMs: null,
      memoryRemaining: 0,
      constantPages: 6741,
    });
    expect(parseDomjobinfo("Job type:         None        \n\n").type).toBe("None");
  });
  it("reads two real completed backup jobs (not migrations): their File figures are never taken for memory", () => {
    for (const [file, ms] of [
      ["domjobinfo-backup-kbase.txt", 183],
      ["domjobinfo-backup-8g.txt", 1527],
    ] as const) {
      expect(parseDomjobinfo(fixture(file))).toMatchObject({
        type: "Completed",
        operation: "Backup",
        elapsedMs: ms,
        memoryProcessed: null,
        memoryRemaining: null,
        memoryTotal: null,
        totalDowntimeMs: null,
      });
    }
  });
  it("reads a real live migration with its disk (the lab, --copy-storage-all): the disk's figures, no memory yet", () => {
    expect(parseDomjobinfo(fixture("domjobinfo-copy-storage-lab.txt"))).toMatchObject({
      type: "Unbounded",
      operation: "Outgoing migration",
      memoryProcessed: null,
      diskProcessed: 16 * 2 ** 20,
      diskRemaining: 48 * 2 ** 20,
      diskTotal: 64 * 2 ** 20,
    });
  });
  it("reads a real save in progress and its completed job (the lab): what a save's progress and recovery ask", () => {
    const live = parseDomjobinfo(fixture("domjobinfo-save-active-lab.txt"));
    expect(live).toMatchObject({
      type: "Unbounded",
      operation: "Save",
      elapsedMs: 36,
      iteration: 1,
      memoryProcessed: parseSize("49.997 MiB"),
      memoryTotal: parseSize("128.508 MiB"),
      totalDowntimeMs: null,
    });
    expect(parseDomjobinfo(fixture("domjobinfo-save-completed-lab.txt"))).toMatchObject({
      type: "Completed",
      operation: "Save",
      memoryRemaining: 0,
      totalDowntimeMs: 61,
      bandwidthBps: parseSize("1.926 GiB/s"),
    });
  });
  it("refuses text without a job type", () => {
    expect(codeOf(() => parseDomjobinfo("error: failed to get domain 'x'\n"))).toBe("toolstack_parse_error");
  });
});

describe("progress and errors", () => {
  it("real failures quote the line that says why: QEMU on the target quit (libvirt 4), one host in two names", () => {
    const qemu = virshMigrateError(fixture("migrate-qemu-closed-libvirt4.stderr.txt"));
    expect(qemu.code).toBe("migrate_target_start_failed");
    expect(qemu.message).toContain(
      "(virsh: internal error: qemu unexpectedly closed the monitor: Receiving block device images)",
    );
    expect(
      virshMigrateError("error: Requested operation is not valid: Attempt to migrate guest to the same host\n").code,
    ).toBe("migrate_same_host");
    // the same refusal in a Chinese locale (a host where Ferry's C locale did not take): not guessed at, quoted whole
    expect(virshMigrateError(fixture("migrate-same-host-zh.stderr.txt"))).toEqual({
      code: "migrate_failed",
      message: "virsh migrate failed: 内部错误：尝试将虚拟机迁移到同一主机",
    });
    expect(lastProgress(fixture("migrate-copy-storage.stderr.txt"))).toEqual({ label: "Migration", percent: 100 });
  });

  it("takes the last percent of a \\r-separated chunk", () => {
    expect(lastProgress(fixture("migrate-aborted-lab.stderr.txt"))).toEqual({ label: "Migration", percent: 37 });
    expect(lastProgress("\rSave: [100 %]")).toEqual({ label: "Save", percent: 100 });
    // libvirt ≥ 8's two decimals
    expect(lastProgress("\rMigration: [ 37.00 %]\rMigration: [ 41.52 %]")).toEqual({
      label: "Migration",
      percent: 41.52,
    });
    expect(lastProgress("nothing")).toBeNull();
  });
  it("finds error lines even after a progress chunk without a newline", () => {
    expect(errorLines(fixture("migrate-aborted-lab.stderr.txt"))).toEqual([
      "operation aborted: job 'migration out' canceled by client",
    ]);
  });
  it("maps virsh's errors to codes", () => {
    expect(
      virshError(["virsh", "dominfo", "nosuch"], {
        code: 1,
        stdout: "",
        stderr: fixture("dominfo-unknown-lab.stderr.txt"),
      }).code,
    ).toBe("domain_not_found");
    expect(virshError(["virsh", "list"], { code: 127, stdout: "", stderr: "sh: virsh: not found" }).code).toBe(
      "toolstack_not_found",
    );
    expect(
      virshError(["virsh", "domjobabort", "x"], {
        code: 1,
        stdout: "",
        stderr: fixture("domjobabort-nojob-lab.stderr.txt"),
      }).message,
    ).toMatch(/no job is active/);
  });
});

describe("virsh capabilities", () => {
  it("reads the host's uuid (lab capture, libvirt 9.0)", () => {
    expect(parseHostUuid(fixture("capabilities-lab.txt"))).toBe("c64029ed-1bf9-4599-93e6-6749e6972d98");
    expect(parseHostUuid("<capabilities>\n</capabilities>")).toBeNull();
  });
});

describe("save and restore", () => {
  it("reads the domain from a real libvirt save file's header", () => {
    expect(parseLibvirtSaveHeader(fixture("save-header-lab.base64.txt"))).toMatchObject({
      name: "labvm1",
      uuid: "266b58d4-1969-49ab-8d74-5bbd7029ba1b",
      memoryMiB: 128,
      vcpus: 1,
    });
    expect(parseLibvirtSaveHeader(Buffer.from("Xen saved domain, xl format\n \0 \r").toString("base64"))).toBeNull();
  });
  it("maps the lab's failure texts", () => {
    expect(virshMigrateError(fixture("migrate-copy-storage-nopool-lab.stderr.txt")).message).toMatch(
      /^libvirt found no file at the disk's path on the target/,
    );
    expect(virshSaveRestoreError(fixture("save-no-dir-lab.stderr.txt"), "save").code).toBe("save_unwritable");
    expect(virshSaveRestoreError(fixture("restore-missing-lab.stderr.txt"), "restore").code).toBe("image_missing");
    expect(virshSaveRestoreError(fixture("restore-corrupt-lab.stderr.txt"), "restore").code).toBe("image_corrupt");
    expect(virshSaveRestoreError(fixture("restore-name-taken-lab.stderr.txt"), "restore").code).toBe("domain_exists");
    expect(virshSaveRestoreError("error: something new\n", "restore")).toEqual({
      code: "restore_failed",
      message: "virsh restore failed: something new",
    });
  });
});

describe("dirty rate", () => {
  it("reads the lab's domstats --dirtyrate once measured, and nothing while measuring", async () => {
    const { parseDirtyRate } = await import("./parse");
    expect(parseDirtyRate(fixture("domstats-dirtyrate-lab.txt"))).toEqual({ status: 2, mbps: 4 });
    expect(parseDirtyRate("Domain: 'labvm1'\n  dirtyrate.calc_status=1\n  dirtyrate.calc_start_time=10227\n")).toEqual({
      status: 1,
      mbps: null,
    });
  });
});
