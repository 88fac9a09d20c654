import { describe, expect, it } from "vitest";
import type { DomainInfo } from "../toolstacks/types";
import { hostProblems, oneDomainNamed } from "./problems";

const dom = (name: string, id: number, state: DomainInfo["state"]) => ({ name, id, state }) as DomainInfo;

describe("a host's problems", () => {
  it("names a domain listed twice, with the state of each row (the running one too)", () => {
    const problems = hostProblems({
      name: "kvmA",
      domains: [
        dom("Domain-0", 0, "running"),
        dom("build-kvm", 3, "running"),
        dom("build-kvm", -1, "shutdown"),
        dom("web-kvm", 2, "running"),
      ],
    });
    expect(problems).toEqual([
      "kvmA lists build-kvm 2 times (running, id 3; shut down): one name for 2 domains. Check their UUIDs on kvmA and remove the copy that should not be there before moving build-kvm.",
    ]);
  });

  it("has nothing to say of a host whose names are each listed once", () => {
    expect(hostProblems({ name: "hostB", domains: [dom("a", 1, "running"), dom("b", -1, "shutdown")] })).toEqual([]);
  });

  it("gives the one domain of a name, nothing for an unknown name, and refuses a name listed twice", () => {
    const host = {
      name: "kvmA",
      domains: [
        dom("Domain-0", 0, "running"),
        dom("web", 2, "running"),
        dom("x", 3, "running"),
        dom("x", -1, "shutdown"),
      ],
    };
    expect(oneDomainNamed(host, "web")?.id).toBe(2);
    expect(oneDomainNamed(host, "Domain-0")).toBeUndefined();
    expect(oneDomainNamed(host, "nope")).toBeUndefined();
    expect(() => oneDomainNamed(host, "x")).toThrow(expect.objectContaining({ code: "domain_ambiguous" }));
  });
});
