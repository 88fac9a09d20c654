import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { HostFacts } from "../types";
import { guestEmulated, parseDomainType, parseEmulatedOnly, refusedOption } from "./emulation";

const fixture = (f: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", f), "utf8");

describe("software emulation, from libvirt's capabilities", () => {
  it("a host without KVM offers QEMU guests only as type 'qemu' (the lab, no /dev/kvm)", () => {
    expect(parseEmulatedOnly(fixture("capabilities-tcg-lab.txt"))).toBe(true);
  });
  it("a host with KVM offers type 'kvm' beside 'qemu'", () => {
    expect(parseEmulatedOnly(fixture("capabilities-lab.txt"))).toBe(false);
  });
  it("capabilities that list no guest say nothing", () => {
    expect(parseEmulatedOnly("<capabilities>\n  <host>\n  </host>\n</capabilities>\n")).toBeNull();
  });
});

describe("software emulation, from the guest's own definition", () => {
  const runner = (stdout: string, code = 0) => ({ exec: async () => ({ code, stdout, stderr: "" }) }) as never;
  it("a guest defined as type 'qemu' is emulated on a host that offers KVM (the lab's guests, 2026-12-05)", async () => {
    expect(parseDomainType(fixture("dumpxml-tcg-lab.xml"))).toBe("qemu");
    expect(parseEmulatedOnly(fixture("capabilities-lab.txt"))).toBe(false);
    const kvmHost = { emulatedOnly: false } as HostFacts;
    expect(await guestEmulated(runner(fixture("dumpxml-tcg-lab.xml")), "labvm1", kvmHost)).toBe(true);
    expect(
      await guestEmulated(
        runner(fixture("dumpxml-tcg-lab.xml").replace("type='qemu'", "type='kvm'")),
        "labvm1",
        kvmHost,
      ),
    ).toBe(false);
  });
  it("a host without KVM emulates every guest; a definition Ferry could not read says no more than the host", async () => {
    expect(await guestEmulated(runner("", 1), "labvm1", { emulatedOnly: true } as HostFacts)).toBe(true);
    expect(await guestEmulated(runner("", 1), "labvm1", { emulatedOnly: false } as HostFacts)).toBe(false);
  });
});

describe("a bandwidth limit under software emulation", () => {
  it("is refused with the reason and what to do instead", () => {
    expect(refusedOption("hostB", true, { bandwidthMiBps: 32 })).toBe(
      "hostB runs this guest by software emulation (QEMU without KVM), where a bandwidth-limited migration delivered guests with corrupted memory in Ferry's lab. Migrate without a bandwidth limit; a maximum downtime still applies.",
    );
  });
  it("is allowed with KVM", () => {
    expect(refusedOption("hostB", false, { bandwidthMiBps: 32 })).toBeNull();
  });
  it("no limit is never refused", () => {
    expect(refusedOption("hostB", true, {})).toBeNull();
  });
});
