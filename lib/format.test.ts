import { describe, expect, it } from "vitest";
import { count, countDomains } from "./format";

describe("cluster summary words", () => {
  it("counts a domain listed by both hosts of its migration once, and says 1 domain", () => {
    const hosts = [
      {
        domains: [
          { id: 0, name: "Domain-0" },
          { id: 3, name: "web01" },
          { id: 4, name: "db01" },
        ],
      },
      {
        domains: [
          { id: 0, name: "Domain-0" },
          { id: 7, name: "web01" },
          { id: -1, name: "win-test" },
        ],
      },
    ];
    expect(countDomains(hosts)).toBe(2);
    expect(count(1, "domain")).toBe("1 domain");
    expect(count(2, "domain")).toBe("2 domains");
    expect(count(0, "host")).toBe("0 hosts");
  });
});
