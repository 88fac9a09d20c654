import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { HostFacts } from "../types";
import { parseEmulatedOnly, refusedOption } from "./emulation";

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

describe("a bandwidth limit under software emulation", () => {
  const facts = (emulatedOnly?: boolean) => ({ emulatedOnly }) as HostFacts;
  it("is refused with the reason and what to do instead", () => {
    expect(refusedOption("hostB", facts(true), { bandwidthMiBps: 32 })).toBe(
      "hostB runs its guests by software emulation (QEMU without KVM), where a bandwidth-limited migration delivered guests with corrupted memory in Ferry's lab. Migrate without a bandwidth limit; a maximum downtime still applies.",
    );
  });
  it("is allowed with KVM, or where it is not known", () => {
    expect(refusedOption("hostB", facts(false), { bandwidthMiBps: 32 })).toBeNull();
    expect(refusedOption("hostB", facts(undefined), { bandwidthMiBps: 32 })).toBeNull();
    expect(refusedOption("hostB", null, { bandwidthMiBps: 32 })).toBeNull();
  });
  it("no limit is never refused", () => {
    expect(refusedOption("hostB", facts(true), {})).toBeNull();
  });
});
